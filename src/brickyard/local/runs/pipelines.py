"""`pipeline_task`: the orchestrator hands a pipeline update to a `PipelineRunner`.

The local runner starts an update of the task's pipeline through the Pipelines service (cause
JOB_TASK, `full_refresh` from the task), exactly as `pipelines/{id}/updates` would, so the update
is listed, its events are in the event log, and its tables are in the workspace catalog for the
tasks after it. The task follows the update: its log narrates the update's states and ends with
what each dataset wrote and what its expectations counted; a cancel or timeout of the run stops
the update; and the update's end is the task's result, SUCCESS or FAILED with the failing dataset
and its error.

The runner is called in the task's own thread; it returns when the update has ended.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from brickyard.local.apierror import ApiError
from brickyard.local.protocol import CANCELED, FAILED, SUCCESS, TaskResult
from brickyard.local.runs.update_execution import UpdateExecution
from brickyard.local.runs.updates import PipelineUpdates
from brickyard.local.store.pipeline_events import EventStore
from brickyard.local.store.pipelines import PipelineStore

POLL = 0.2


@dataclass(frozen=True)
class PipelineTaskRequest:
    pipeline_id: str
    full_refresh: bool
    log_file: Path
    """Where the update's narration goes: it becomes the task's logs in runs/get-output."""


class PipelineRunner:
    def __init__(self, pipelines: PipelineStore, updates: PipelineUpdates, events: EventStore) -> None:
        self.pipelines = pipelines
        self.updates = updates
        self.events = events

    def run_update(self, request: PipelineTaskRequest, cancelled: threading.Event) -> TaskResult:
        request.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(request.log_file, "a", encoding="utf-8") as log:
            try:
                record = self.pipelines.get(request.pipeline_id)
                execution = self.updates.start(
                    record, {"full_refresh": request.full_refresh}, cause="JOB_TASK"
                )
            except ApiError as err:
                _say(log, f"Error: {err.message}")
                return TaskResult(FAILED, error=err.message)
            refresh = " (full refresh)" if request.full_refresh else ""
            _say(log, f"Started update {execution.update_id} of pipeline '{record.name}'{refresh}")
            self._follow(execution, cancelled, log)
            _summarize(self.events, execution, log)
            return _result(execution, cancelled)

    def _follow(self, execution: UpdateExecution, cancelled: threading.Event, log: IO[str]) -> None:
        shown = ""
        while not execution.wait(POLL):
            if execution.state != shown:
                shown = execution.state
                _say(log, f"Update {execution.update_id[:8]} is {shown}")
            if cancelled.is_set():
                execution.stop()
        if execution.state != shown:
            _say(log, f"Update {execution.update_id[:8]} is {execution.state}")


def _result(execution: UpdateExecution, cancelled: threading.Event) -> TaskResult:
    if execution.state == "COMPLETED":
        return TaskResult(SUCCESS)
    if execution.state == "CANCELED" or cancelled.is_set():
        return TaskResult(CANCELED, error="the pipeline update was canceled")
    result = execution.result or {}
    dataset, file = result.get("error_dataset"), result.get("error_file")
    error = execution.error or f"the pipeline update ended {execution.state}"
    message = f"Dataset '{dataset}' failed: {error}" if dataset and dataset not in error else error
    trace = f"{message}\n  in {file}" if file else None
    return TaskResult(FAILED, error=message.splitlines()[0], error_trace=trace)


def _summarize(events: EventStore, execution: UpdateExecution, log: IO[str]) -> None:
    """One line per dataset: its status, the rows written, and each expectation's counts."""
    flows: dict[str, dict[str, Any]] = {}
    for event in events.of_update(execution.pipeline_id, execution.update_id):
        if event.get("event_type") == "flow_progress":
            origin = event.get("origin") or {}
            flows[str(origin.get("dataset_name") or origin.get("flow_name"))] = event["details"][
                "flow_progress"
            ]
    for dataset, progress in flows.items():
        rows = (progress.get("metrics") or {}).get("num_output_rows")
        line = f"  {dataset}: {progress.get('status')}" + (f", {rows} rows" if rows is not None else "")
        for expectation in (progress.get("data_quality") or {}).get("expectations") or []:
            line += (
                f"; {expectation.get('name')}: {expectation.get('passed_records', 0)} passed,"
                f" {expectation.get('failed_records', 0)} failed"
            )
        _say(log, line)


def _say(log: IO[str], line: str) -> None:
    log.write(line + "\n")
    log.flush()
