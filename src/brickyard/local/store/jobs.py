"""Job definitions. One-time runs (`runs/submit`) get a hidden job, as on a workspace, so
`{{job.id}}` resolves for them and they are never listed."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.store.db import Database, dumps, loads
from brickyard.local.store.job_settings import as_single_task, merge_update, normalize_job

FIRST_JOB_ID = 100


@dataclass(frozen=True)
class JobRecord:
    job_id: int
    created_time: int
    creator: str
    settings: dict[str, Any]
    hidden: bool = False

    def as_api(self, run_as: str | None = None) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "job_id": self.job_id,
            "creator_user_name": self.creator,
            "created_time": self.created_time,
            "settings": self.settings,
        }
        doc["run_as_user_name"] = run_as or _run_as(self.settings) or self.creator
        return doc


def missing_job(job_id: Any) -> ApiError:
    # The status and wording a workspace uses; the SDK maps it to ResourceDoesNotExist.
    return ApiError.invalid_missing(f"Job {job_id} does not exist.")


class JobStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, settings: dict[str, Any], creator: str, hidden: bool = False) -> JobRecord:
        doc = normalize_job(settings)
        job_id = self.db.next_id("job", FIRST_JOB_ID)
        record = JobRecord(job_id, int(time.time() * 1000), creator, doc, hidden)
        self.db.execute(
            "INSERT INTO jobs(job_id, name, hidden, created_time, creator, settings) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (job_id, doc["name"], int(hidden), record.created_time, creator, dumps(doc)),
        )
        return record

    def find(self, job_id: int) -> JobRecord | None:
        row = self.db.one("SELECT * FROM jobs WHERE job_id = ?", (job_id,))
        return None if row is None else _record(row)

    def get(self, job_id: Any) -> JobRecord:
        job_id = _job_id(job_id)
        record = self.find(job_id)
        if record is None:
            raise missing_job(job_id)
        return record

    def page(self, name: str | None, offset: int, limit: int) -> tuple[list[JobRecord], bool]:
        sql = "SELECT * FROM jobs WHERE hidden = 0"
        params: list[Any] = []
        if name:
            sql += " AND lower(name) = lower(?)"
            params.append(name)
        sql += " ORDER BY job_id LIMIT ? OFFSET ?"
        rows = self.db.query(sql, [*params, limit + 1, offset])
        return [_record(r) for r in rows[:limit]], len(rows) > limit

    def triggered(self) -> list[JobRecord]:
        """The jobs with a `schedule`, `trigger` or `continuous` block (paused or not), by id."""
        rows = self.db.query(
            "SELECT * FROM jobs WHERE hidden = 0 AND ("
            "json_extract(settings, '$.schedule') IS NOT NULL OR "
            "json_extract(settings, '$.trigger') IS NOT NULL OR "
            "json_extract(settings, '$.continuous') IS NOT NULL) ORDER BY job_id"
        )
        return [_record(r) for r in rows]

    def reset(self, job_id: Any, settings: dict[str, Any]) -> None:
        record = self.get(job_id)
        self._save(record.job_id, normalize_job(settings))

    def update(self, job_id: Any, new_settings: dict[str, Any], fields_to_remove: list[str]) -> None:
        with self.db.tx():
            record = self.get(job_id)
            current = record.settings
            if not (new_settings or {}).get("tasks"):
                current = as_single_task(current)  # a 2.0 update names the task's fields at the top
            merged = merge_update(current, new_settings, fields_to_remove)
            self._save(record.job_id, normalize_job(merged))

    def delete(self, job_id: Any) -> None:
        record = self.get(job_id)
        self.db.execute("DELETE FROM jobs WHERE job_id = ?", (record.job_id,))

    def _save(self, job_id: int, doc: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE jobs SET name = ?, settings = ? WHERE job_id = ?", (doc["name"], dumps(doc), job_id)
        )


def _record(row: Any) -> JobRecord:
    return JobRecord(
        job_id=int(row["job_id"]),
        created_time=int(row["created_time"]),
        creator=str(row["creator"]),
        settings=loads(row["settings"]),
        hidden=bool(row["hidden"]),
    )


def _job_id(value: Any) -> int:
    if value is None:
        raise ApiError.invalid("job_id is required")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError.invalid(f"job_id must be an integer; got {value!r}") from None


def _run_as(settings: dict[str, Any]) -> str | None:
    run_as = settings.get("run_as") or {}
    return run_as.get("user_name") or run_as.get("service_principal_name")
