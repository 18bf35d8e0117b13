"""Plaintext credentials written into bundle configuration.

A bundle is committed to git and its resolved configuration is stored in deployment state and
release records, so a literal token or password in it leaks everywhere. Two signals: a key whose
name says it holds a credential (`password`, `client_secret`, `…account.key…`) with a literal
value, and a value shaped like a known credential (`dapi…`, `AKIA…`, a private key) under any key.
References stay allowed: `{{secrets/scope/key}}`, `${var.x}` (checked where its value is written),
and `$ENV`-style placeholders.
"""

from __future__ import annotations

import re

from brickyard.bundle.node import Node, Path, format_path, walk
from brickyard.credential_names import names_credential as _names_credential
from brickyard.errors import Diagnostic, Severity

_VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a Databricks personal access token", re.compile(r"\bdapi[0-9a-f]{32}(-\d)?\b")),
    ("a Databricks OAuth secret", re.compile(r"\bdose[0-9a-f]{32}\b")),
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----")),
    (
        "a GitHub token",
        re.compile(r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40,}"),
    ),
    ("a Slack token", re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}")),
    ("an Azure storage account key", re.compile(r"AccountKey=[A-Za-z0-9+/=]{40,}")),
)
_SAFE_VALUE = re.compile(r"^(\$\{[^}]+\}|\$[A-Z_][A-Z0-9_]*|\{\{[^}]+\}\}|<[^>]*>|\*+)$")
SECRET_REFERENCE = re.compile(r"\{\{\s*secrets/(?:[^{}/\s]|\$\{[^{}]+\})+/(?:[^{}/\s]|\$\{[^{}]+\})+\s*\}\}")
"""`{{secrets/<scope>/<key>}}`, where scope and key may hold `${var.x}` (`{{secrets/kv-${var.env}/pw}}`)."""


def find_plaintext_secrets(config: Node, skip: tuple[str, ...] = ()) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    for path, node in walk(config):
        if path[:1] and path[0] in skip:
            continue
        value = node.value
        if not isinstance(value, str) or not value.strip():
            continue
        reason = _value_reason(value) or _key_reason(path, value)
        if reason:
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    f"plaintext secret in the configuration: {reason}",
                    format_path(path),
                    node.loc,
                    detail="Reference a secret scope instead ({{secrets/<scope>/<key>}}) or pass the value at "
                    "deploy time (--var or BUNDLE_VAR_<name>) without committing it.",
                )
            )
    return diags


def value_looks_secret(value: str) -> bool:
    return bool(_value_reason(value))


def names_credential(key: str) -> bool:
    """True for keys such as `password`, `client_secret`, `api_key`, `fs.azure.account.key.x`."""
    return _names_credential(key)


def _value_reason(value: str) -> str:
    for label, pattern in _VALUE_PATTERNS:
        if pattern.search(value):
            return f"the value looks like {label}"
    return ""


def _key_reason(path: Path, value: str) -> str:
    if not path or not isinstance(path[-1], str) or _SAFE_VALUE.match(value.strip()):
        return ""
    if SECRET_REFERENCE.search(value):
        # `Bearer {{secrets/api/token}}`, `jdbc:…;password={{secrets/db/pw}}`: the workspace fills it.
        return ""
    key = path[-1]
    if _names_credential(key):
        return f"{key} holds a literal value"
    # `variables.db_password.default/value`: the variable's name says what it holds.
    if len(path) >= 3 and path[0] == "variables" and path[-1] in ("default", "value"):
        name = path[1]
        if isinstance(name, str) and _names_credential(name):
            return f"variable {name} has a literal value"
    return ""
