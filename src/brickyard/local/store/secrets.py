"""Secret scopes and secrets. Values go in and never come out through the API.

The `secrets` table is the worker contract (`protocol`): workers read values from it, read-only,
for `dbutils.secrets.get`, and redact them from task output.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.store.db import Database

_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")
MAX_VALUE_BYTES = 128 * 1024


class SecretStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create_scope(self, scope: str, backend_type: str = "DATABRICKS") -> None:
        _check_name(scope, "scope")
        if backend_type != "DATABRICKS":
            raise ApiError.invalid(f"scope backend {backend_type!r} is not supported; use DATABRICKS")
        with self.db.tx() as conn:
            if conn.execute("SELECT 1 FROM secret_scopes WHERE scope = ?", (scope,)).fetchone():
                raise ApiError.already_exists(f"Scope {scope} already exists!")
            conn.execute(
                "INSERT INTO secret_scopes(scope, backend_type, created) VALUES (?, ?, ?)",
                (scope, backend_type, _now()),
            )

    def scope_created(self, scope: str) -> int | None:
        """When the scope was created (tells it from an earlier scope of the same name), or None."""
        row = self.db.one("SELECT created FROM secret_scopes WHERE scope = ?", (scope,))
        return None if row is None else int(row["created"])

    def list_scopes(self) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT scope, backend_type FROM secret_scopes ORDER BY scope")
        return [{"name": row["scope"], "backend_type": row["backend_type"]} for row in rows]

    def delete_scope(self, scope: str) -> None:
        with self.db.tx() as conn:
            if conn.execute("DELETE FROM secret_scopes WHERE scope = ?", (scope,)).rowcount == 0:
                raise ApiError.not_found(f"Scope {scope} does not exist!")
            conn.execute("DELETE FROM secrets WHERE scope = ?", (scope,))

    def put(self, scope: str, key: str, string_value: str | None, bytes_value: str | None) -> None:
        _check_name(key, "key")
        if (string_value is None) == (bytes_value is None):
            raise ApiError.invalid("exactly one of string_value and bytes_value must be given")
        if string_value is not None:
            value = string_value.encode("utf-8")
        else:
            try:
                value = base64.b64decode(bytes_value or "", validate=True)
            except binascii.Error:
                raise ApiError.invalid("bytes_value must be base64") from None
        if len(value) > MAX_VALUE_BYTES:
            raise ApiError.invalid(f"a secret value is limited to {MAX_VALUE_BYTES} bytes")
        with self.db.tx() as conn:
            self._require_scope(conn, scope)
            conn.execute(
                "INSERT INTO secrets(scope, key, value, last_updated_timestamp) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(scope, key) DO UPDATE SET value = excluded.value, "
                "last_updated_timestamp = excluded.last_updated_timestamp",
                (scope, key, value, _now()),
            )

    def list(self, scope: str) -> list[dict[str, Any]]:
        self._require_scope(self.db.connection(), scope)
        rows = self.db.query(
            "SELECT key, last_updated_timestamp FROM secrets WHERE scope = ? ORDER BY key", (scope,)
        )
        return [{"key": row["key"], "last_updated_timestamp": row["last_updated_timestamp"]} for row in rows]

    def delete(self, scope: str, key: str) -> None:
        with self.db.tx() as conn:
            self._require_scope(conn, scope)
            if conn.execute("DELETE FROM secrets WHERE scope = ? AND key = ?", (scope, key)).rowcount == 0:
                raise ApiError.not_found(f"Secret {key} does not exist in scope {scope}!")

    def _require_scope(self, conn: Any, scope: str) -> None:
        if conn.execute("SELECT 1 FROM secret_scopes WHERE scope = ?", (scope,)).fetchone() is None:
            raise ApiError.not_found(f"Scope {scope} does not exist!")


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ApiError.invalid(
            f"{what} {name!r} must be 1-128 letters, digits, dashes, underscores or periods"
        )


def _now() -> int:
    return int(time.time() * 1000)
