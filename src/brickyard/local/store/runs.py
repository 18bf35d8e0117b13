"""Run documents: job runs, their task runs, and for-each iterations, each stored in API shape.

The orchestrator keeps the live run in memory and saves a document on every state change; the
API reads only from here, so a poll sees exactly what was last saved. A run's output (notebook exit
value, error, log location, task values) is kept apart from its document because `runs/get` never
returns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.store.db import Database, dumps, loads

JOB, TASK, ITERATION = "job", "task", "iteration"
ACTIVE_STATES = ("QUEUED", "PENDING", "RUNNING", "TERMINATING", "BLOCKED", "WAITING_FOR_RETRY")
FIRST_RUN_ID = 1000


@dataclass(frozen=True)
class RunRow:
    run_id: int
    kind: str
    job_id: int | None
    parent_run_id: int | None
    root_run_id: int
    doc: dict[str, Any]

    @property
    def active(self) -> bool:
        return self.doc["state"]["life_cycle_state"] in ACTIVE_STATES


def missing_run(run_id: Any) -> ApiError:
    # As a workspace words it; the SDK maps it to ResourceDoesNotExist.
    return ApiError.invalid_missing(f"Run {run_id} does not exist.")


class RunStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def new_id(self) -> int:
        return self.db.next_id("run", FIRST_RUN_ID)

    def save(self, kind: str, doc: dict[str, Any], parent_run_id: int | None, root_run_id: int) -> None:
        state = doc["state"]["life_cycle_state"]
        self.db.execute(
            "INSERT INTO runs(run_id, kind, job_id, parent_run_id, root_run_id, task_key, run_type, "
            "life_cycle_state, start_time, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(run_id) DO UPDATE SET life_cycle_state = excluded.life_cycle_state, "
            "start_time = excluded.start_time, doc = excluded.doc",
            (
                doc["run_id"],
                kind,
                doc.get("job_id"),
                parent_run_id,
                root_run_id,
                doc.get("task_key"),
                doc.get("run_type"),
                state,
                doc.get("start_time") or 0,
                dumps(doc),
            ),
        )

    def set_output(self, run_id: int, output: dict[str, Any]) -> None:
        self.db.execute("UPDATE runs SET output = ? WHERE run_id = ?", (dumps(output), run_id))

    def output(self, run_id: int) -> dict[str, Any]:
        row = self.db.one("SELECT output FROM runs WHERE run_id = ?", (run_id,))
        return (loads(row["output"]) if row is not None else None) or {}

    def find(self, run_id: int) -> RunRow | None:
        row = self.db.one("SELECT * FROM runs WHERE run_id = ?", (run_id,))
        return None if row is None else _row(row)

    def get(self, run_id: Any) -> RunRow:
        try:
            number = int(run_id)
        except (TypeError, ValueError):
            raise ApiError.invalid(f"run_id must be an integer; got {run_id!r}") from None
        found = self.find(number)
        if found is None:
            raise missing_run(number)
        return found

    def children(self, parent_run_id: int) -> list[RunRow]:
        rows = self.db.query("SELECT * FROM runs WHERE parent_run_id = ? ORDER BY run_id", (parent_run_id,))
        return [_row(r) for r in rows]

    def page(
        self,
        job_id: int | None,
        active_only: bool,
        completed_only: bool,
        run_type: str | None,
        start_from: int | None,
        start_to: int | None,
        offset: int,
        limit: int,
    ) -> tuple[list[RunRow], bool]:
        sql = "SELECT * FROM runs WHERE kind = ?"
        params: list[Any] = [JOB]
        if job_id is not None:
            sql += " AND job_id = ?"
            params.append(job_id)
        marks = ", ".join("?" * len(ACTIVE_STATES))
        if active_only:
            sql += f" AND life_cycle_state IN ({marks})"
            params.extend(ACTIVE_STATES)
        if completed_only:
            sql += f" AND life_cycle_state NOT IN ({marks})"
            params.extend(ACTIVE_STATES)
        if run_type:
            sql += " AND run_type = ?"
            params.append(run_type)
        if start_from:
            sql += " AND start_time >= ?"
            params.append(start_from)
        if start_to:
            sql += " AND start_time <= ?"
            params.append(start_to)
        sql += " ORDER BY run_id DESC LIMIT ? OFFSET ?"
        rows = self.db.query(sql, [*params, limit + 1, offset])
        return [_row(r) for r in rows[:limit]], len(rows) > limit

    def task_runs_using(self, paths: tuple[str, ...], value: str, limit: int) -> list[RunRow]:
        """The newest task runs whose settings hold `value` at one of the JSON `paths`
        (`$.existing_cluster_id`, `$.sql_task.warehouse_id`, …): what used a cluster or warehouse."""
        matches = " OR ".join("json_extract(doc, ?) = ?" for _ in paths)
        params: list[Any] = [p for path in paths for p in (path, value)]
        rows = self.db.query(
            f"SELECT * FROM runs WHERE kind != ? AND ({matches}) ORDER BY run_id DESC LIMIT ?",
            [JOB, *params, limit],
        )
        return [_row(r) for r in rows]

    def active_job_runs(self, job_id: int) -> list[RunRow]:
        marks = ", ".join("?" * len(ACTIVE_STATES))
        rows = self.db.query(
            f"SELECT * FROM runs WHERE kind = ? AND job_id = ? AND life_cycle_state IN ({marks}) "
            "ORDER BY run_id",
            (JOB, job_id, *ACTIVE_STATES),
        )
        return [_row(r) for r in rows]

    def interrupted(self) -> list[RunRow]:
        """Runs a previous server left active: nothing drives them any more."""
        marks = ", ".join("?" * len(ACTIVE_STATES))
        rows = self.db.query(f"SELECT * FROM runs WHERE life_cycle_state IN ({marks})", ACTIVE_STATES)
        return [_row(r) for r in rows]

    def delete(self, root_run_id: int) -> None:
        with self.db.tx() as conn:
            conn.execute("DELETE FROM runs WHERE root_run_id = ?", (root_run_id,))
            conn.execute("DELETE FROM run_tokens WHERE run_id = ?", (root_run_id,))

    def run_for_token(self, token: str) -> int | None:
        row = self.db.one("SELECT run_id FROM run_tokens WHERE token = ?", (token,))
        return None if row is None else int(row["run_id"])

    def remember_token(self, token: str, run_id: int) -> None:
        self.db.execute("INSERT OR IGNORE INTO run_tokens(token, run_id) VALUES (?, ?)", (token, run_id))


def _row(row: Any) -> RunRow:
    return RunRow(
        run_id=int(row["run_id"]),
        kind=str(row["kind"]),
        job_id=row["job_id"],
        parent_run_id=row["parent_run_id"],
        root_run_id=int(row["root_run_id"]),
        doc=loads(row["doc"]),
    )
