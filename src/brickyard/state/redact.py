"""Keeping credentials out of state files, release records and output.

Configuration can carry a secret the user passed at deploy time (`--var db_password=…` ending up
in `spark_env_vars`). The workspace needs the value; brickyard's own records and output do not.
Three signals mark a value: it sits under a key that names a credential, it is shaped like a known
token, or it was registered as sensitive (`mark_sensitive`: the bundle loader registers the values
of variables whose names say they hold credentials, wherever those values end up). A marked value
becomes a fingerprint, `[REDACTED sha256:1a2b3c4d]`, which still changes when the value does, so
a plan still sees the change.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from brickyard.bundle.secrets import names_credential, value_looks_secret

_SAFE_PREFIXES = ("{{secrets/", "${", "[REDACTED")
_MIN_LENGTH = 4
"""Shorter values would mask ordinary words all over the output."""

_sensitive: set[str] = set()
_lock = threading.Lock()


def mark_sensitive(*values: str) -> None:
    """Never show these values again in this process: in records, JSON or text output."""
    with _lock:
        _sensitive.update(v for v in values if isinstance(v, str) and len(v) >= _MIN_LENGTH)


def fingerprint(value: str) -> str:
    return f"[REDACTED sha256:{hashlib.sha256(value.encode()).hexdigest()[:12]}]"


def redact(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, key) for v in value]
    if not isinstance(value, str) or not value or value.startswith(_SAFE_PREFIXES):
        return value
    if (key and names_credential(key)) or value_looks_secret(value) or _holds_sensitive(value):
        return fingerprint(value)
    return value


def mask_text(text: str) -> str:
    """Text for people: each registered value replaced where it appears."""
    if not _sensitive:
        return text
    for secret in sorted(_snapshot(), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "[REDACTED]")
    return text


def _holds_sensitive(value: str) -> bool:
    return bool(_sensitive) and any(secret in value for secret in _snapshot())


def _snapshot() -> list[str]:
    with _lock:
        return list(_sensitive)
