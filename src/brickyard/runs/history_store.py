"""Run history kept on this machine: `.brickyard/history.db` (SQLite) in the project.

A workspace forgets runs after its retention period; `brickyard runs sync` copies what it still has
here, one row per (target, run), so trends and alerts can look further back; pipelines' updates
likewise, one row per (target, pipeline, update), with their rows and expectation counts. A run already stored
is replaced by its newer copy (a run that was in progress at the last sync has ended since). The
file holds what `runs` prints, never a token or a parameter value. It also remembers which alert
went to which destination (`alerts check`), so an alert is delivered once.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from brickyard.runs.history import RunRecord
from brickyard.runs.pipeline import UpdateOutcome

FILE = Path(".brickyard") / "history.db"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    target TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    job TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (target, run_id)
);
CREATE INDEX IF NOT EXISTS runs_by_job ON runs (target, job, start_ms);
CREATE TABLE IF NOT EXISTS updates (
    target TEXT NOT NULL,
    pipeline TEXT NOT NULL,
    update_id TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (target, pipeline, update_id)
);
CREATE TABLE IF NOT EXISTS alerts_sent (
    target TEXT NOT NULL,
    rule TEXT NOT NULL,
    event TEXT NOT NULL,
    destination TEXT NOT NULL,
    sent_ms INTEGER NOT NULL,
    PRIMARY KEY (target, rule, event, destination)
);
"""


class HistoryStore:
    def __init__(self, root: Path) -> None:
        self.path = root / FILE

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not self.path.exists()
        conn = sqlite3.connect(self.path)
        try:
            if fresh:
                os.chmod(self.path, 0o600)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                from brickyard.errors import StateError

                raise StateError(
                    f"{self.path} was written by a newer brickyard (history version {version}); "
                    "upgrade brickyard, or delete the file to start the history again"
                )
            conn.executescript(_SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            with conn:
                yield conn
        finally:
            conn.close()

    def save(self, target: str, runs: Iterable[RunRecord]) -> int:
        """Store runs (replacing older copies); returns how many were new."""
        rows = [(target, r.run_id, r.job, r.start_ms, json.dumps(r.as_json())) for r in runs]
        with self._connect() as conn:
            before = conn.execute("SELECT count(*) FROM runs WHERE target = ?", (target,)).fetchone()[0]
            conn.executemany("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?)", rows)
            after = conn.execute("SELECT count(*) FROM runs WHERE target = ?", (target,)).fetchone()[0]
        return int(after - before)

    def runs(self, target: str, job: str, limit: int) -> list[RunRecord]:
        """The newest `limit` stored runs of a job, newest first."""
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT doc FROM runs WHERE target = ? AND job = ? ORDER BY start_ms DESC, run_id DESC LIMIT ?",
                (target, job, limit),
            ).fetchall()
        return [RunRecord.from_json(json.loads(row[0])) for row in rows]

    def save_updates(self, target: str, pipeline: str, updates: Iterable[UpdateOutcome]) -> int:
        """Store a pipeline's updates (replacing older copies); returns how many were new."""
        rows = [(target, pipeline, u.update_id, u.start_ms, json.dumps(u.as_json())) for u in updates]
        with self._connect() as conn:
            count = "SELECT count(*) FROM updates WHERE target = ?"
            before = conn.execute(count, (target,)).fetchone()[0]
            conn.executemany("INSERT OR REPLACE INTO updates VALUES (?, ?, ?, ?, ?)", rows)
            after = conn.execute(count, (target,)).fetchone()[0]
        return int(after - before)

    def updates(self, target: str, pipeline: str, limit: int) -> list[UpdateOutcome]:
        """The newest `limit` stored updates of a pipeline, newest first."""
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT doc FROM updates WHERE target = ? AND pipeline = ? ORDER BY start_ms DESC LIMIT ?",
                (target, pipeline, limit),
            ).fetchall()
        return [UpdateOutcome.from_json(json.loads(row[0])) for row in rows]

    def delivered(self, target: str, rule: str, event: str, destination: str) -> bool:
        if not self.path.exists():
            return False
        with self._connect() as conn:
            row = conn.execute(
                "SELECT 1 FROM alerts_sent WHERE target = ? AND rule = ? AND event = ? AND destination = ?",
                (target, rule, event, destination),
            ).fetchone()
        return row is not None

    def mark_delivered(self, target: str, rule: str, event: str, destination: str) -> None:
        with self._connect() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO alerts_sent VALUES (?, ?, ?, ?, ?)",
                (target, rule, event, destination, int(time.time() * 1000)),
            )
