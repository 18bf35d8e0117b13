"""Keeping credentials out of state files and release records.

Configuration can carry a secret the user passed at deploy time (`--var db_password=…` ending up
in `spark_env_vars`). The workspace needs the value; brickyard's own records do not. Values under
keys that name a credential, and values shaped like known tokens, are replaced by a fingerprint:
`[REDACTED sha256:1a2b3c4d]`. The fingerprint still changes when the value does, so a plan still
sees the change.
"""

from __future__ import annotations

import hashlib
from typing import Any

from brickyard.bundle.secrets import names_credential, value_looks_secret

_SAFE_PREFIXES = ("{{secrets/", "${", "[REDACTED")


def redact(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, key) for v in value]
    if not isinstance(value, str) or not value or value.startswith(_SAFE_PREFIXES):
        return value
    if (key and names_credential(key)) or value_looks_secret(value):
        return f"[REDACTED sha256:{hashlib.sha256(value.encode()).hexdigest()[:12]}]"
    return value
