"""One job run: its task graph with each task's state, its tasks' output and logs, its parameters,
and what can be done with it (cancel while it runs; repair its failed tasks or run it again after)."""

from __future__ import annotations

import json
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.runs import views
from brickyard.local.server.services import Services
from brickyard.local.store.runs import ACTIVE_STATES
from brickyard.local.tasks.dbt import ARTIFACTS_DIR
from brickyard.local.ui import graph
from brickyard.local.ui.jobs import run_duration
from brickyard.local.ui.render import BAD, duration, run_state, tone
from brickyard.runs.dbt_history import DbtInvocation, from_run_results


def run_page(ws: Services, job_id: int, run_id: int) -> dict[str, Any]:
    doc = views.get_run(ws, run_id, include_resolved=True, paginate=False)
    if doc.get("job_id") != job_id:
        raise ApiError.not_found(f"Run {run_id} of job {job_id} does not exist.")
    tasks = [_task(ws, task, run_id) for task in doc.get("tasks") or []]
    items = [
        graph.Item(
            key=t["key"],
            after=t["after"],
            title=t["key"],
            lines=(f"{t['state']} · {_elapsed(t)}", f"retry {t['attempt']}" if t["attempt"] else ""),
            tone=tone(t["state"]),
            href=f"#task-{t['key']}",
        )
        for t in tasks
    ]
    state = run_state(doc)
    active = (doc.get("state") or {}).get("life_cycle_state") in ACTIVE_STATES
    return {
        "run": {
            "id": doc["run_id"],
            "job_id": job_id,
            "name": doc.get("run_name") or "",
            "state": state,
            "message": (doc.get("state") or {}).get("state_message") or "",
            "active": active,
            "start": doc.get("start_time"),
            "duration": run_duration(doc),
            "trigger": doc.get("trigger") or doc.get("run_type") or "",
            "parameters": _parameters(doc),
            "repairs": len(doc.get("repair_history") or []),
            "repairable": not active and any(t["state"] in BAD for t in tasks),
        },
        "tasks": tasks,
        "layout": graph.layout(items),
    }


def _task(ws: Services, task: dict[str, Any], root_run_id: int) -> dict[str, Any]:
    output = views.get_output(ws, task["run_id"]) if "run_id" in task else {}
    notebook = output.get("notebook_output") or {}
    return {
        "key": task.get("task_key", ""),
        "run_id": task.get("run_id"),
        "after": [d.get("task_key", "") for d in task.get("depends_on") or []],
        "state": run_state(task),
        "message": (task.get("state") or {}).get("state_message") or "",
        "attempt": task.get("attempt_number") or 0,
        "start": task.get("start_time"),
        "duration": run_duration(task),
        "result": notebook.get("result"),
        "logs": output.get("logs") or "",
        "error": output.get("error") or "",
        "error_trace": output.get("error_trace") or "",
        "parameters": (task.get("resolved_values") or {}),
        "dbt": _dbt(ws, task, root_run_id) if "dbt_task" in task and "run_id" in task else [],
    }


def _dbt(ws: Services, task: dict[str, Any], root_run_id: int) -> list[DbtInvocation]:
    """What each dbt command of the task reported (its kept `run_results/<n>.json`)."""
    found = []
    folder = ws.home.runs_dir / str(root_run_id) / str(int(task["run_id"])) / ARTIFACTS_DIR / "run_results"
    if folder.is_dir() and not folder.is_symlink():
        for path in sorted(folder.glob("*.json"), key=lambda p: int(p.stem) if p.stem.isdigit() else -1):
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(doc, dict):
                found.append(from_run_results(str(task.get("task_key", "")), int(task["run_id"]), doc))
    return found


def _parameters(doc: dict[str, Any]) -> list[tuple[str, str]]:
    found = [
        (str(p.get("name")), str(p.get("value", p.get("default", ""))))
        for p in doc.get("job_parameters") or []
    ]
    overriding = doc.get("overriding_parameters") or {}
    for kind, values in overriding.items():
        if isinstance(values, dict):
            found.extend((f"{name} ({kind})", str(value)) for name, value in values.items())
        elif isinstance(values, list):
            found.extend((f"{kind}[{i}]", str(value)) for i, value in enumerate(values))
    return found


def _elapsed(task: dict[str, Any]) -> str:
    if not task["start"]:
        return "not started"
    return "running" if task["duration"] is None else duration(task["duration"])
