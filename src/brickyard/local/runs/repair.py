"""Repairing a finished job run (`runs/repair`): some of its tasks run again, in the same run.

The tasks asked for (`rerun_tasks`, or every task that did not succeed with
`rerun_all_failed_tasks`; their dependents too with `rerun_dependent_tasks`) get new task runs;
the others keep their last result, which their dependents see as before (run_if, task values).
The run goes back to RUNNING and ends with a result computed over all its tasks. Each repair is an
entry of the run's `repair_history`, after one for the original run; a second repair must name the
latest (`latest_repair_id`), so two clients cannot repair the same run at once unknowingly.

Repair ids come from the run id sequence, so every task run a repair starts has a larger id than
the repair: that is how `runs.views` tells a task's current runs from the ones a repair replaced.
"""

from __future__ import annotations

import copy
import time
from typing import Any, Protocol

from brickyard.local.apierror import ApiError
from brickyard.local.runs import states as s
from brickyard.local.runs.execution import RunExecution, RunSetting, Scheduler
from brickyard.local.runs.graph import Finished
from brickyard.local.runs.outcome import Outcome
from brickyard.local.runs.references import UpstreamTask
from brickyard.local.runs.tasks import TaskExecution
from brickyard.local.store.jobs import JobStore
from brickyard.local.store.runs import JOB, TASK, RunRow

_DONE = (s.SUCCESS, s.SUCCESS_WITH_FAILURES, s.EXCLUDED, s.DISABLED)


class Repairer(Scheduler, Protocol):
    """What a repair needs of the orchestrator (`runs.scheduler.Orchestrator`)."""

    setting: RunSetting
    jobs: JobStore

    def is_active(self, run_id: int) -> bool: ...

    def launch(self, execution: RunExecution) -> None: ...


def repair(orchestrator: Repairer, body: dict[str, Any]) -> dict[str, Any]:
    runs = orchestrator.setting.runs
    row = runs.get(body.get("run_id"))
    if row.kind != JOB:
        raise ApiError.invalid(f"Run {row.run_id} is a task run; repair its job run {row.root_run_id}.")
    if row.active or orchestrator.is_active(row.run_id):
        raise ApiError.invalid_state(f"Run {row.run_id} is still active; it can be repaired once it ends.")
    doc = copy.deepcopy(row.doc)
    history: list[dict[str, Any]] = doc.get("repair_history") or []
    repairs = [item["id"] for item in history if item.get("type") == "REPAIR"]
    latest = body.get("latest_repair_id")
    if repairs and latest is None:
        raise ApiError.invalid(
            f"Run {row.run_id} was repaired before: give latest_repair_id ({repairs[-1]})."
        )
    if latest is not None and (not repairs or int(latest) != repairs[-1]):
        raise ApiError.invalid(f"latest_repair_id {latest} is not the latest repair of run {row.run_id}.")
    job = orchestrator.jobs.get(doc["job_id"])
    settings = copy.deepcopy(job.settings)
    tasks = {t["task_key"]: t for t in settings.get("tasks") or []}
    task_rows = [r for r in runs.children(row.run_id) if r.kind == TASK]
    last = _last_runs(task_rows, history)
    rerun = _chosen(body, tasks, last)

    if not history:
        history.append(_entry("ORIGINAL", row.run_id, doc, _ids(task_rows)))
    repair_id = runs.new_id()
    now = int(time.time() * 1000)
    history.append({"type": "REPAIR", "id": repair_id, "start_time": now, "end_time": 0, "task_run_ids": []})
    params = {
        str(p["name"]): str(p.get("value", p.get("default", ""))) for p in doc.get("job_parameters") or []
    }
    params.update({str(k): str(v) for k, v in (body.get("job_parameters") or {}).items()})
    for p in doc.get("job_parameters") or []:
        p["value"] = params.get(str(p["name"]), p.get("value"))

    execution = RepairExecution(
        orchestrator.setting,
        orchestrator,
        row.run_id,
        int(doc["job_id"]),
        str(doc.get("run_name") or settings.get("name", "")),
        settings,
        params,
        str(doc.get("run_type", "JOB_RUN")),
        str(doc.get("trigger", "ONE_TIME")),
        {},
        sorted(rerun),
    )
    execution.start_time = int(doc.get("start_time") or now)
    doc.update(repair_history=history, end_time=0, **s.state_docs(s.PENDING))
    execution.doc = doc
    for key, task_row in last.items():
        if key not in rerun and key in tasks:
            execution.tasks[key] = PriorTask(execution, tasks[key], task_row, runs.output(task_row.run_id))
    orchestrator.launch(execution)
    return {"repair_id": repair_id}


class RepairExecution(RunExecution):
    """The run again, with its latest repair entry kept in step with the run's state."""

    def save(self) -> None:
        entry = self.doc["repair_history"][-1]
        entry.update(
            state=self.doc["state"], status=self.doc.get("status"), end_time=self.doc.get("end_time", 0)
        )
        entry["task_run_ids"] = [
            a.run_id for t in list(self.tasks.values()) if not isinstance(t, PriorTask) for a in t.attempts
        ]
        super().save()


class PriorTask(TaskExecution):
    """A task the repair does not run again: done, with the result and values of its last run."""

    def __init__(self, run: RunExecution, task: dict[str, Any], row: RunRow, output: dict[str, Any]) -> None:
        super().__init__(run, task, TASK, run.run_id)
        state = row.doc.get("state") or {}
        outcome = (row.doc.get("condition_task") or {}).get("outcome")
        self.prior_run_id = row.run_id
        self.last = Outcome(
            state.get("result_state") or s.FAILED,
            message=str(state.get("state_message") or ""),
            error=output.get("error"),
            values=dict(output.get("task_values") or {}),
            outcome=outcome,
        )
        self.done.set()

    @property
    def finished(self) -> Finished:
        assert self.last is not None
        return Finished(self.last.result, self.last.outcome)

    def upstream(self) -> UpstreamTask:
        return UpstreamTask(
            run_id=self.prior_run_id,
            result_state=self.last.result if self.last else None,
            values=self.last.values if self.last else {},
            error_message=(self.last.error or "") if self.last else "",
            notebook_path=(self.task.get("notebook_task") or {}).get("notebook_path", ""),
        )


def current_task_rows(rows: list[RunRow], history: list[dict[str, Any]]) -> list[RunRow]:
    """A run's task runs without those a later repair replaced (see the module docstring)."""
    repairs = [int(item["id"]) for item in history if item.get("type") == "REPAIR"]
    if not repairs:
        return rows

    def generation(row: RunRow) -> int:
        return sum(1 for r in repairs if r < row.run_id)

    newest: dict[str, int] = {}
    for row in rows:
        key = row.doc.get("task_key", "")
        newest[key] = max(newest.get(key, 0), generation(row))
    return [r for r in rows if generation(r) == newest[r.doc.get("task_key", "")]]


def history(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return list(doc.get("repair_history") or [])


def _last_runs(rows: list[RunRow], history: list[dict[str, Any]]) -> dict[str, RunRow]:
    """Each task's latest task run (its last attempt of the latest repair)."""
    last: dict[str, RunRow] = {}
    for row in current_task_rows(rows, history):
        key = row.doc["task_key"]
        if key not in last or row.run_id > last[key].run_id:
            last[key] = row
    return last


def _chosen(body: dict[str, Any], tasks: dict[str, dict[str, Any]], last: dict[str, RunRow]) -> set[str]:
    named = body.get("rerun_tasks") or []
    every_failed = bool(body.get("rerun_all_failed_tasks"))
    if named and every_failed:
        raise ApiError.invalid("Give either rerun_tasks or rerun_all_failed_tasks, not both.")
    if not named and not every_failed:
        raise ApiError.invalid("Give the tasks to run again: rerun_tasks, or rerun_all_failed_tasks=true.")
    unknown = [k for k in named if k not in tasks]
    if unknown:
        raise ApiError.invalid(f"Task(s) {', '.join(map(str, unknown))} are not tasks of this job.")
    chosen = set(named) if named else {k for k in tasks if _result(last.get(k)) not in _DONE}
    if body.get("rerun_dependent_tasks"):
        grown = True
        while grown:
            extra = {
                k
                for k, t in tasks.items()
                if k not in chosen and any(d.get("task_key") in chosen for d in t.get("depends_on") or [])
            }
            chosen |= extra
            grown = bool(extra)
    if not chosen:
        raise ApiError.invalid("No task of this run needs repairing: all of them succeeded.")
    return chosen


def _result(row: RunRow | None) -> str | None:
    return None if row is None else (row.doc.get("state") or {}).get("result_state")


def _ids(rows: list[RunRow]) -> list[int]:
    return sorted(r.run_id for r in rows)


def _entry(kind: str, entry_id: int, doc: dict[str, Any], task_run_ids: list[int]) -> dict[str, Any]:
    return {
        "type": kind,
        "id": entry_id,
        "start_time": doc.get("start_time", 0),
        "end_time": doc.get("end_time", 0),
        "state": copy.deepcopy(doc.get("state")),
        "status": copy.deepcopy(doc.get("status")),
        "task_run_ids": task_run_ids,
    }
