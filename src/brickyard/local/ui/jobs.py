"""The jobs list and one job's page: its settings, schedule and triggers, and its recent runs."""

from __future__ import annotations

from typing import Any

from brickyard.local.server.services import Services
from brickyard.local.store.jobs import JobRecord
from brickyard.local.store.runs import RunRow
from brickyard.local.ui.render import duration, run_state, tone
from brickyard.task_types import TASK_TYPES

RECENT_RUNS = 50


def all_jobs(ws: Services) -> list[JobRecord]:
    records: list[JobRecord] = []
    more = True
    while more:
        page, more = ws.jobs.page(None, len(records), 100)
        records.extend(page)
    return records


def recent_runs(ws: Services, job_id: int | None, limit: int) -> list[RunRow]:
    rows, _more = ws.runs.page(job_id, False, False, None, None, None, 0, limit)
    return rows


def jobs_page(ws: Services) -> dict[str, Any]:
    jobs = []
    for record in all_jobs(ws):
        last = recent_runs(ws, record.job_id, 1)
        jobs.append(
            {
                "id": record.job_id,
                "name": record.settings.get("name") or f"Job {record.job_id}",
                "tasks": len(record.settings.get("tasks") or []),
                "schedule": schedule_text(record.settings),
                "last": run_summary(last[0]) if last else None,
            }
        )
    return {"jobs": jobs}


def job_page(ws: Services, job_id: int) -> dict[str, Any]:
    record = ws.jobs.get(job_id)
    settings = record.settings
    runs = [run_summary(row) for row in recent_runs(ws, job_id, RECENT_RUNS)]
    finished = [r for r in reversed(runs) if r["duration"] is not None and not r["active"]]
    longest = max((r["duration"] for r in finished), default=0) or 1
    return {
        "job": {
            "id": record.job_id,
            "name": settings.get("name") or f"Job {record.job_id}",
            "creator": record.creator,
            "schedule": schedule_text(settings),
            "tasks": [_task(t) for t in settings.get("tasks") or []],
            "parameters": settings.get("parameters") or [],
            "tags": settings.get("tags") or {},
            "max_concurrent_runs": settings.get("max_concurrent_runs", 1),
        },
        "runs": runs,
        "chart": [bar(r, longest) for r in finished],
    }


def bar(run: dict[str, Any], longest: int, tallest: int = 60) -> dict[str, Any]:
    """One run in a duration chart: its height against the longest run's, coloured by its state."""
    return {
        "height": max(2, round(tallest * run["duration"] / longest)),
        "tone": tone(run["state"]),
        "title": f"run {run['id']}: {run['state']}, {duration(run['duration'])}",
    }


def run_summary(row: RunRow) -> dict[str, Any]:
    doc = row.doc
    return {
        "id": row.run_id,
        "job_id": row.job_id,
        "name": doc.get("run_name") or "",
        "state": run_state(doc),
        "active": row.active,
        "start": doc.get("start_time"),
        "duration": run_duration(doc),
        "trigger": doc.get("trigger") or doc.get("run_type") or "",
        "message": (doc.get("state") or {}).get("state_message") or "",
    }


def run_duration(doc: dict[str, Any]) -> int | None:
    """Milliseconds from start to end (so far, for a run still going: None)."""
    if doc.get("run_duration"):
        return int(doc["run_duration"])
    start, end = doc.get("start_time") or 0, doc.get("end_time") or 0
    return int(end - start) if start and end else None


def schedule_text(settings: dict[str, Any]) -> str:
    """How a job starts by itself, in a few words ("" when it only runs when asked)."""
    said = []
    if schedule := settings.get("schedule"):
        said.append(
            f"cron {schedule.get('quartz_cron_expression', '')} ({schedule.get('timezone_id', 'UTC')})"
            + _paused(schedule)
        )
    trigger = settings.get("trigger") or {}
    if periodic := trigger.get("periodic"):
        said.append(
            f"every {periodic.get('interval')} {str(periodic.get('unit', '')).lower()}" + _paused(trigger)
        )
    if arrival := trigger.get("file_arrival"):
        said.append(f"on new files in {arrival.get('url')}" + _paused(trigger))
    if update := trigger.get("table_update") or trigger.get("table"):
        said.append(f"on updates of {', '.join(update.get('table_names') or [])}" + _paused(trigger))
    if continuous := settings.get("continuous"):
        said.append("continuous" + _paused(continuous))
    return "; ".join(said)


def _paused(holder: dict[str, Any]) -> str:
    return " — paused" if holder.get("pause_status") == "PAUSED" else ""


def _task(task: dict[str, Any]) -> dict[str, Any]:
    kind = next((k for k in TASK_TYPES if k in task), "")
    return {
        "key": task.get("task_key", ""),
        "type": kind.removesuffix("_task").replace("_", " "),
        "after": [d.get("task_key") for d in task.get("depends_on") or []],
        "detail": _task_detail(task.get(kind) or {}),
    }


def _task_detail(spec: dict[str, Any]) -> str:
    for key in ("notebook_path", "python_file", "package_name", "pipeline_id", "job_id", "query", "commands"):
        if key in spec:
            value = spec[key]
            return str(value.get("query_id", value) if isinstance(value, dict) else value)
    return ""
