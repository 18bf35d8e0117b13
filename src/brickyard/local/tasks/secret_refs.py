"""`{{secrets/<scope>/<key>}}` references in what a task runs with, filled in by its worker.

A workspace resolves these in a cluster's `spark_conf` and `spark_env_vars` and in task parameters
when the task starts; the server leaves them in the request, so the value is never written to the
attempt's request file, and the worker reads it from the secret store (as `dbutils.secrets` does),
which registers it with the redactor: output that contains it shows `[REDACTED]`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from brickyard.credential_names import names_credential
from brickyard.errors import TaskError
from brickyard.local.dbutils.secrets import SecretNotFound, Secrets
from brickyard.local.protocol import TaskRequest
from brickyard.local.tasks.redact import Redactor

SECRET_REF = re.compile(r"\{\{\s*secrets/([^/{}\s]+)/([^/{}\s]+)\s*\}\}")
"""One reference; scope and key names hold no `/`, braces or spaces."""


def resolve_request(request: TaskRequest, secrets: Secrets) -> TaskRequest:
    """`request` with every secret reference in its environment, Spark conf, task settings and job
    parameters replaced by the value; a reference to a missing secret fails the task."""
    return replace(
        request,
        environment={k: _text(v, secrets, f"spark_env_vars.{k}") for k, v in request.environment.items()},
        spark_conf={k: _text(v, secrets, f"spark_conf.{k}") for k, v in request.spark_conf.items()},
        task=_value(request.task, secrets, "task"),
        job_parameters={
            k: _text(v, secrets, f"job parameter {k}") for k, v in request.job_parameters.items()
        },
    )


def redact_credentials(request: TaskRequest, redactor: Redactor) -> None:
    """Register values the task gets under a name that says it holds a credential (`password`,
    `DB_PASSWORD`, `fs.azure.account.key.…`): a job parameter, a named task parameter, a Spark conf
    or environment entry, filled from a `--var` at deploy, is `[REDACTED]` in the task's output too."""
    named: list[tuple[str, Any]] = [
        *request.environment.items(),
        *request.spark_conf.items(),
        *request.job_parameters.items(),
    ]
    for settings in request.task.values():
        if isinstance(settings, dict):
            for field in ("base_parameters", "named_parameters"):
                parameters = settings.get(field)
                if isinstance(parameters, dict):
                    named.extend(parameters.items())
    for name, value in named:
        if isinstance(value, str) and len(value) >= 4 and names_credential(str(name)):
            redactor.add(value)


def _value(value: Any, secrets: Secrets, where: str) -> Any:
    if isinstance(value, str):
        return _text(value, secrets, where)
    if isinstance(value, list):
        return [_value(item, secrets, f"{where}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, dict):
        return {k: _value(v, secrets, f"{where}.{k}") for k, v in value.items()}
    return value


def _text(text: str, secrets: Secrets, where: str) -> str:
    if "{{" not in text:
        return text

    def fill(match: re.Match[str]) -> str:
        scope, key = match.group(1), match.group(2)
        try:
            return secrets.get(scope, key)
        except SecretNotFound as exc:
            raise TaskError(f"{where} references {{{{secrets/{scope}/{key}}}}}: {exc}") from None

    return SECRET_REF.sub(fill, text)
