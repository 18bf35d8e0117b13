"""`dbutils.secrets`: read-only access to the local workspace's secret scopes.

Values come from the server's SQLite `secrets` table (see `protocol`), opened read-only for each
call so a secret put while the task runs is visible, as it is on Databricks. Every value handed to
the task is registered with the redactor first, so it is `[REDACTED]` in all output from then on.
"""

from __future__ import annotations

import builtins
import contextlib
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from brickyard.local.tasks.redact import Redactor


class SecretNotFound(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)


@dataclass(frozen=True)
class SecretScope:
    name: str


@dataclass(frozen=True)
class SecretMetadata:
    key: str


class Secrets:
    def __init__(self, metadata_db: Path, redactor: Redactor) -> None:
        self._db = metadata_db
        self._redactor = redactor

    def get(self, scope: str, key: str) -> str:
        return self.getBytes(scope, key).decode("utf-8")

    def getBytes(self, scope: str, key: str) -> bytes:
        rows = self._query("SELECT value FROM secrets WHERE scope = ? AND key = ?", (scope, key))
        if not rows:
            self._require_scope(scope)
            raise SecretNotFound(f"Secret does not exist with scope: {scope} and key: {key}")
        raw = rows[0][0]
        value = bytes(raw) if isinstance(raw, (bytes, bytearray, memoryview)) else str(raw).encode("utf-8")
        self._redactor.add(value)
        with contextlib.suppress(UnicodeDecodeError):
            self._redactor.add(value.decode("utf-8"))
        return value

    def list(self, scope: str) -> list[SecretMetadata]:
        self._require_scope(scope)
        rows = self._query("SELECT key FROM secrets WHERE scope = ? ORDER BY key", (scope,))
        return [SecretMetadata(str(row[0])) for row in rows]

    def listScopes(self) -> builtins.list[SecretScope]:
        rows = self._query("SELECT DISTINCT scope FROM secrets ORDER BY scope", ())
        return [SecretScope(str(row[0])) for row in rows]

    def help(self, method: str = "") -> None:
        print("dbutils.secrets: get, getBytes, list, listScopes")

    def _require_scope(self, scope: str) -> None:
        if not self._query("SELECT 1 FROM secrets WHERE scope = ? LIMIT 1", (scope,)):
            raise SecretNotFound(f"Secret scope {scope} does not exist")

    def _query(self, sql: str, args: tuple[str, ...]) -> builtins.list[tuple[object, ...]]:
        if not self._db.is_file():
            return []
        uri = f"{self._db.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=10)) as conn:
            try:
                return list(conn.execute(sql, args).fetchall())
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    return []
                raise
