"""One bundle, three targets, three secret backends (file, environment, Vault): deploy and
`secrets sync` put each target's values into its scope, and a job reads them, redacted."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from brickyard.cli.main import run
from tests.deploy.conftest import Project
from tests.secrets.servers import VaultServer, serving

pytestmark = [pytest.mark.server, pytest.mark.engine]

BUNDLE = """
bundle:
  name: NAME
targets:
  dev: {default: true, mode: development}
  staging: {}
  prod: {}
resources:
  secret_scopes:
    app:
      name: NAME-${bundle.target}
  jobs:
    reader:
      name: reader
      tasks:
        - task_key: read
          notebook_task:
            notebook_path: ./notebooks/read.py
            base_parameters: {scope: "NAME-${bundle.target}"}
          new_cluster:
            spark_version: 15.4.x-scala2.12
            num_workers: 0
            spark_conf:
              app.db.password: "{{secrets/NAME-${bundle.target}/db-password}}"
"""
NOTEBOOK = """
# Databricks notebook source
import hashlib
value = dbutils.secrets.get(dbutils.widgets.get("scope"), "db-password")
print("value", value, "conf matches", spark.conf.get("app.db.password") == value)
print("digest", hashlib.sha256(value.encode()).hexdigest()[:16])
"""
SETTINGS = """
secrets:
  backends:
    dev: {type: file, path: .secrets/dev.json}
    staging: {type: env, prefix: STAGING_}
    prod: {type: vault, url: "URL", mount: kv, path: apps/NAME}
  scopes:
    app: [db-password]
"""
VALUES = {"dev": "dev-pw-from-a-file", "staging": "staging-pw-from-env", "prod": "prod-pw-from-vault"}


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def _read(project: Project, client: Any, target: str) -> str:
    outcome = project.run("reader", target=target)
    task_run = client.jobs.get_run(outcome.run_id).tasks[0].run_id
    logs = str(client.jobs.get_run_output(task_run).logs)
    assert outcome.succeeded, logs
    return logs


def test_three_targets_read_their_secrets_from_three_backends(
    project: Project, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = VaultServer("vault-token", {f"kv/data/apps/{project.name}": {"db-password": VALUES["prod"]}})
    with serving(vault) as url:
        project.write({
            "databricks.yml": BUNDLE,
            "notebooks/read.py": NOTEBOOK,
            "brickyard.yml": SETTINGS.replace("URL", url),
            ".secrets/dev.json": json.dumps({"db-password": VALUES["dev"]}),
            ".gitignore": ".secrets/\n",  # else the deploy's secret gate stops the upload of the file
        })  # fmt: skip
        monkeypatch.setenv("STAGING_DB_PASSWORD", VALUES["staging"])
        monkeypatch.setenv("VAULT_TOKEN", "vault-token")
        for target in VALUES:
            project.deploy(target=target, auto_approve=True)
        assert vault.requests == [f"/v1/kv/data/apps/{project.name}"]

        for target, value in VALUES.items():
            logs = _read(project, client, target)
            assert value not in logs
            assert "value [REDACTED] conf matches True" in logs
            assert f"digest {_digest(value)}" in logs

        # A rotated value reaches the scope with `secrets sync`, without a deploy.
        monkeypatch.setenv("STAGING_DB_PASSWORD", "rotated-staging-pw")
        monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))
        monkeypatch.chdir(project.root)
        assert run(["secrets", "sync", "-t", "staging", "-o", "json"]) == 0
        assert f"digest {_digest('rotated-staging-pw')}" in _read(project, client, "staging")

    for output in project.outputs:
        text = json.dumps(output.__dict__, default=str)
        assert not any(value in text for value in VALUES.values())
    for path in (project.root / ".brickyard").rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert not any(value.encode() in content for value in VALUES.values()), path
    assert client.secrets.list_secrets(f"{project.name}-prod")[0].key == "db-password"


def test_a_missing_value_stops_the_deploy_before_it_applies(project: Project, tmp_path: Path) -> None:
    project.write({
        "databricks.yml": BUNDLE,
        "notebooks/read.py": NOTEBOOK,
        "brickyard.yml": SETTINGS,
        ".secrets/dev.json": "{}",
        ".gitignore": ".secrets/\n",
    })  # fmt: skip
    from brickyard.errors import SecretsError

    with pytest.raises(SecretsError, match="'db-password' is not in"):
        project.deploy(target="dev", auto_approve=True)
    assert not (project.root / ".brickyard/targets/dev/brickyard-state.json").exists()


def test_a_credential_passed_with_var_is_redacted_in_the_task_output(
    project: Project, client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write({
        "databricks.yml": """
            bundle: {name: NAME}
            variables:
              db_password: {description: the database password}
            targets:
              local: {default: true, mode: development}
            resources:
              jobs:
                login:
                  name: login
                  tasks:
                    - task_key: login
                      notebook_task:
                        notebook_path: ./notebooks/login.py
                        base_parameters: {password: "${var.db_password}"}
            """,
        "notebooks/login.py": "# Databricks notebook source\nprint('logging in with', dbutils.widgets.get('password'))\n",
    })  # fmt: skip
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))
    monkeypatch.chdir(project.root)
    value = "Var-Passed-S3cret"
    assert run(["deploy", "--var", f"db_password={value}", "--auto-approve"]) == 0
    deployed = capsys.readouterr()
    assert run(["run", "login", "--var", f"db_password={value}", "-o", "json"]) == 0
    shown = capsys.readouterr()
    assert value not in deployed.out + deployed.err + shown.out + shown.err
    run_id = json.loads(shown.out)["run_id"]
    logs = str(client.jobs.get_run_output(client.jobs.get_run(run_id).tasks[0].run_id).logs)
    assert "logging in with [REDACTED]" in logs
    assert value not in logs
