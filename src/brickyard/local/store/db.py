"""The metadata database: one SQLite file in WAL mode, one connection per thread.

WAL lets the request threads, the run threads and the worker processes (which open it read-only
for secrets) read while one writer commits. Writes go through `tx()`, which takes the write lock
up front (`BEGIN IMMEDIATE`) so a read-then-write never fails half way with SQLITE_BUSY. The schema
is versioned with `PRAGMA user_version` and migrated forward on open.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from brickyard.errors import LocalWorkspaceError
from brickyard.local.store.schema import MIGRATIONS

Params = Sequence[Any] | dict[str, Any]


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._migrate()

    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            for companion in ("-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.chmod(f"{self.path}{companion}", 0o600)
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    def release_thread(self) -> None:
        """Close this thread's connection: threads that end (runs, tasks, updates) give theirs back."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            return
        self._local.conn = None
        with self._all_lock:
            if conn in self._all:
                self._all.remove(conn)
        conn.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; nested use joins the outer one."""
        conn = self.connection()
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def query(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return self.connection().execute(sql, params).fetchall()

    def one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.connection().execute(sql, params).fetchone()
        return row

    def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement in its own transaction (or the caller's); returns the row count."""
        with self.tx() as conn:
            return conn.execute(sql, params).rowcount

    def next_id(self, name: str, start: int = 1) -> int:
        """The next value of a named counter; ids never repeat, even after deletes and restarts."""
        with self.tx() as conn:
            row = conn.execute(
                "INSERT INTO counters(name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
                (name, start),
            ).fetchone()
        return int(row[0])

    def get_meta(self, key: str) -> str | None:
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def close(self) -> None:
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()

    def _migrate(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Secrets live here: the file is 0600 before SQLite opens it, and SQLite gives its WAL and
        # shared-memory files the database file's mode.
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(self.path, 0o600)
        conn = self.connection()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise LocalWorkspaceError(
                f"{self.path} was written by a newer brickyard (schema {version}); "
                "upgrade brickyard, or run `brickyard local reset` to start over"
            )
        for number, statements in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.tx() as tx:
                for statement in statements:
                    tx.execute(statement)
                tx.execute(f"PRAGMA user_version = {number}")


def dumps(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"))


def loads(text: str | bytes | None) -> Any:
    return None if text is None else json.loads(text)
