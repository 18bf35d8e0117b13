"""Running a deployed job: start it, show each task's progress, then each task's result.

Polls `runs/get` (as `run_now(...).result()` does) and redraws a table of tasks; in logs each
state change is one line. When the run ends, every task's output comes from `runs/get-output`:
the notebook's exit value (or, for a successful task without one, the tail of what it printed),
the error and its trace, the tail of its logs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brickyard.output import Output
from brickyard.runs.pipeline import UpdateOutcome, read_events

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

TERMINAL_STATES = frozenset({"TERMINATED", "SKIPPED", "INTERNAL_ERROR"})
OUTPUT_LINES = 10
"""A successful task without an exit value shows this much of what it printed."""


@dataclass
class TaskOutcome:
    task_key: str
    run_id: int
    state: str
    result: str
    seconds: float
    output: str = ""
    error: str = ""
    error_trace: str = ""
    logs: str = ""
    pipeline: UpdateOutcome | None = None
    """For a pipeline_task: the update it ran, with each dataset's rows and expectations."""

    def as_json(self) -> dict[str, Any]:
        doc = {
            "task_key": self.task_key,
            "run_id": self.run_id,
            "life_cycle_state": self.state,
            "result_state": self.result,
            "seconds": round(self.seconds, 1),
            "output": self.output,
            "error": self.error,
            "error_trace": self.error_trace,
            "logs": self.logs,
        }
        if self.pipeline is not None:
            doc["pipeline_update"] = self.pipeline.as_json()
        return doc


@dataclass
class RunOutcome:
    run_id: int
    url: str
    state: str
    result: str
    message: str = ""
    seconds: float = 0.0
    tasks: list[TaskOutcome] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.state == "TERMINATED" and self.result == "SUCCESS"

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "run_page_url": self.url,
            "life_cycle_state": self.state,
            "result_state": self.result,
            "state_message": self.message,
            "seconds": round(self.seconds, 1),
            "tasks": [t.as_json() for t in self.tasks],
        }


def start_job(
    client: WorkspaceClient,
    job_id: str,
    params: dict[str, str],
    only: list[str],
    notebook_params: dict[str, str] | None = None,
) -> int:
    body: dict[str, Any] = {"job_id": int(job_id)}
    if params:
        body["job_parameters"] = params
    if notebook_params:
        body["notebook_params"] = notebook_params
    if only:
        body["only"] = only
    return int(client.api_client.do("POST", "/api/2.2/jobs/run-now", body=body)["run_id"])


def watch_job(client: WorkspaceClient, run_id: int, output: Output, poll: float = 0.5) -> RunOutcome:
    started = time.monotonic()
    seen: dict[str, str] = {}
    with output.live() as view:
        while True:
            run = client.api_client.do("GET", "/api/2.2/jobs/runs/get", query={"run_id": run_id})
            changes = _changes(run, seen)
            view.update(_table(run, time.monotonic() - started), changes)
            if run.get("state", {}).get("life_cycle_state") in TERMINAL_STATES:
                break
            # 0.1 s at first, `poll` from ~8 s on: a short run is not kept waiting for the next look
            time.sleep(min(poll, 0.1 + (time.monotonic() - started) / 20))
    return _outcome(client, run, time.monotonic() - started)


def _changes(run: dict[str, Any], seen: dict[str, str]) -> list[str]:
    lines = []
    for task in run.get("tasks", []):
        state = task.get("state", {})
        label = state.get("result_state") or state.get("life_cycle_state", "PENDING")
        if seen.get(task["task_key"]) != label:
            seen[task["task_key"]] = label
            lines.append(f"  {task['task_key']}: {label}")
    return lines


def _table(run: dict[str, Any], elapsed: float) -> Any:
    from rich.table import Table

    state = run.get("state", {})
    table = Table(
        title=f"{run.get('run_name', 'run')} · run {run.get('run_id')} · {elapsed:.0f}s", title_justify="left"
    )
    table.add_column("task")
    table.add_column("state")
    table.add_column("result")
    table.add_column("duration", justify="right")
    for task in run.get("tasks", []):
        task_state = task.get("state", {})
        result = task_state.get("result_state", "")
        colour = {"SUCCESS": "green", "FAILED": "red", "TIMEDOUT": "red", "CANCELED": "yellow"}.get(
            result, ""
        )
        table.add_row(
            task["task_key"],
            task_state.get("life_cycle_state", "PENDING"),
            f"[{colour}]{result}[/]" if colour else result,
            _duration(task),
        )
    table.caption = state.get("state_message") or ""
    return table


def _duration(task: dict[str, Any]) -> str:
    start, end = task.get("start_time") or 0, task.get("end_time") or 0
    if not start:
        return ""
    seconds = ((end or time.time() * 1000) - start) / 1000
    return f"{seconds:.1f}s"


def _outcome(client: WorkspaceClient, run: dict[str, Any], seconds: float) -> RunOutcome:
    state = run.get("state", {})
    outcome = RunOutcome(
        run_id=int(run["run_id"]),
        url=str(run.get("run_page_url") or ""),
        state=str(state.get("life_cycle_state", "")),
        result=str(state.get("result_state", "")),
        message=str(state.get("state_message", "")),
        seconds=seconds,
    )
    for task in run.get("tasks", []):
        task_state = task.get("state", {})
        item = TaskOutcome(
            task_key=task["task_key"],
            run_id=int(task.get("run_id", 0)),
            state=str(task_state.get("life_cycle_state", "")),
            result=str(task_state.get("result_state", "")),
            seconds=((task.get("end_time") or 0) - (task.get("start_time") or 0)) / 1000
            if task.get("start_time")
            else 0,
        )
        if item.run_id and item.state != "SKIPPED":
            _task_output(client, item)
            if "for_each_task" in task and item.result not in ("SUCCESS", ""):
                _failed_iteration(client, item)
            pipeline_id = (task.get("pipeline_task") or {}).get("pipeline_id")
            if pipeline_id:
                item.pipeline = _pipeline_update(client, str(pipeline_id), task)
        outcome.tasks.append(item)
    return outcome


def _pipeline_update(client: WorkspaceClient, pipeline_id: str, task: dict[str, Any]) -> UpdateOutcome | None:
    """The update a pipeline_task ran: the pipeline's update created while the task ran."""
    from databricks.sdk.errors.base import DatabricksError

    start, end = task.get("start_time") or 0, task.get("end_time") or time.time() * 1000
    try:
        page = client.api_client.do(
            "GET", f"/api/2.0/pipelines/{pipeline_id}/updates", query={"max_results": 25}
        )
    except DatabricksError:
        return None
    for update in page.get("updates", []):
        created = int(update.get("creation_time") or 0)
        if start - 1000 <= created <= end + 1000:
            outcome = UpdateOutcome(
                pipeline_id, str(update["update_id"]), str(update.get("state", "")), "", 0.0
            )
            try:
                read_events(client, outcome)
            except DatabricksError:
                return None
            return outcome
    return None


def _task_output(client: WorkspaceClient, task: TaskOutcome) -> None:
    from databricks.sdk.errors.base import DatabricksError

    try:
        out = client.api_client.do("GET", "/api/2.2/jobs/runs/get-output", query={"run_id": task.run_id})
    except DatabricksError:
        return
    notebook = out.get("notebook_output") or {}
    task.error = str(out.get("error") or "")
    task.error_trace = str(out.get("error_trace") or "")
    task.logs = str(out.get("logs") or "")
    task.output = str(notebook.get("result") or "")
    if not task.output and task.result == "SUCCESS":
        task.output = printed(task.logs)
    elif not task.output and task.logs:  # what it printed before it failed, its trace shown apart
        trace = task.error_trace.strip()
        task.output = printed(task.logs.replace(trace, "") if trace else task.logs)


def _failed_iteration(client: WorkspaceClient, task: TaskOutcome) -> None:
    """A for-each task says only how many iterations failed: the first failed one's error and
    trace are what a user needs, as the run page shows them under the iteration."""
    from databricks.sdk.errors.base import DatabricksError

    try:
        run = client.api_client.do("GET", "/api/2.2/jobs/runs/get", query={"run_id": task.run_id})
    except DatabricksError:
        return
    iterations = run.get("iterations") or []
    for index, iteration in enumerate(iterations):
        if (iteration.get("state") or {}).get("result_state") in (None, "SUCCESS") or not iteration.get(
            "run_id"
        ):
            continue
        failed = TaskOutcome(task.task_key, int(iteration["run_id"]), "", "", 0.0)
        _task_output(client, failed)
        reason = failed.error or str((iteration.get("state") or {}).get("state_message") or "")
        task.error = (
            f"{task.error or run.get('state', {}).get('state_message', '')} Iteration {index}: {reason}"
        )
        task.error_trace = failed.error_trace
        task.logs = failed.logs
        return


def printed(logs: str) -> str:
    """What a task printed, for a task with no exit value: the last lines of its log (brickyard's own
    notes left out), as a notebook shows its cells' output."""
    lines = [line for line in logs.splitlines() if line.strip() and not line.startswith("brickyard: ")]
    if len(lines) > OUTPUT_LINES:
        lines = [f"… {len(lines) - OUTPUT_LINES} more line(s) in the run's logs", *lines[-OUTPUT_LINES:]]
    return "\n".join(lines)
