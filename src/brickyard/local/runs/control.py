"""Task types the orchestrator runs itself: condition, run_job, for_each, and pipeline tasks.

They carry no user code of their own, so they need no worker: a condition compares two resolved
strings, a run_job task starts and follows another job's run, a for_each task runs its nested task
once per input (with at most `concurrency` iterations at a time, each an iteration run as the API
reports them), and a pipeline task is handed to the pipeline runner (`runs.pipelines`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.runs import states as s
from brickyard.local.runs.outcome import Outcome
from brickyard.local.runs.pipelines import PipelineRunner, PipelineTaskRequest
from brickyard.local.runs.tasks import Attempt, TaskExecution, TaskExecutor
from brickyard.local.store.runs import ITERATION

MAX_ITERATIONS = 5000
_CHILD_OK = (s.SUCCESS, s.SUCCESS_WITH_FAILURES)


def condition(attempt: Attempt, cancelled: threading.Event) -> Outcome:
    spec = attempt.resolved.get("condition_task") or {}
    op, left, right = spec.get("op"), str(spec.get("left", "")), str(spec.get("right", ""))
    try:
        verdict = compare(op, left, right)
    except ValueError as err:
        return Outcome.failed(str(err), "INVALID_RUN_CONFIGURATION")
    outcome = "true" if verdict else "false"
    return Outcome(s.SUCCESS, message=f"Condition {left!r} {op} {right!r} is {outcome}.", outcome=outcome)


def compare(op: Any, left: str, right: str) -> bool:
    """Numbers compare as numbers ("12.0" equals "12"); anything else only as equal or not equal."""
    numbers = _number(left), _number(right)
    if numbers[0] is not None and numbers[1] is not None:
        a: Any
        b: Any
        a, b = numbers
    elif op in ("EQUAL_TO", "NOT_EQUAL"):
        a, b = left, right
    else:
        raise ValueError(f"condition {op} needs two numbers; got {left!r} and {right!r}")
    checks: dict[str, Callable[[Any, Any], bool]] = {
        "EQUAL_TO": lambda x, y: x == y,
        "NOT_EQUAL": lambda x, y: x != y,
        "GREATER_THAN": lambda x, y: x > y,
        "GREATER_THAN_OR_EQUAL": lambda x, y: x >= y,
        "LESS_THAN": lambda x, y: x < y,
        "LESS_THAN_OR_EQUAL": lambda x, y: x <= y,
    }
    if op not in checks:
        raise ValueError(f"unknown condition operator {op!r}")
    return checks[op](a, b)


def run_job(attempt: Attempt, cancelled: threading.Event) -> Outcome:
    spec = attempt.resolved.get("run_job_task") or {}
    try:
        child = attempt.run.start_child(spec, attempt)
    except ApiError as err:
        return Outcome.failed(err.message, "RESOURCE_NOT_FOUND")
    while not child.done.wait(0.1):
        if cancelled.is_set():
            child.cancel(attempt.cancel_result())
            child.done.wait()
    result = child.result or s.FAILED
    if result in _CHILD_OK:
        return Outcome(s.SUCCESS, run_job_run_id=child.run_id)
    if result in (s.CANCELED, s.TIMEDOUT) and cancelled.is_set():
        return Outcome(attempt.cancel_result(), message="Run was canceled.", run_job_run_id=child.run_id)
    message = f"Run {child.run_id} of job {child.job_id} ended {result}."
    failed = [
        (key, task.last) for key, task in child.tasks.items() if task.last is not None and task.last.error
    ]
    trace = None
    if failed:
        key, last = failed[0]
        message += f" Task {key} failed: {last.error}"
        trace = last.error_trace
    return Outcome(s.FAILED, message=message, error=message, error_trace=trace, run_job_run_id=child.run_id)


def for_each(attempt: Attempt, cancelled: threading.Event) -> Outcome:
    spec = attempt.resolved.get("for_each_task") or {}
    try:
        items = _inputs(spec.get("inputs"))
    except ValueError as err:
        return Outcome.failed(str(err), "INVALID_RUN_CONFIGURATION")
    nested = attempt.task["for_each_task"]["task"]
    concurrency = int(spec.get("concurrency") or 1)
    run = attempt.run
    pending = [TaskExecution(run, nested, ITERATION, attempt.run_id, item=i, has_item=True) for i in items]
    active: list[TaskExecution] = []
    done: list[TaskExecution] = []
    total = len(pending)
    while pending or active:
        if cancelled.is_set():
            for execution in pending:
                execution.skip(attempt.cancel_result())
            done.extend(pending)
            pending = []
            for execution in active:
                execution.cancel()
        while pending and len(active) < concurrency:
            execution = pending.pop(0)
            execution.start()
            active.append(execution)
        _stats(attempt, total, active, done)
        with run.cond:
            run.cond.wait(0.2)
        finished = [e for e in active if e.done.is_set()]
        active = [e for e in active if not e.done.is_set()]
        done.extend(finished)
    _stats(attempt, total, active, done)
    failed = [e for e in done if not e.last or e.last.result != s.SUCCESS]
    if cancelled.is_set():
        return Outcome(attempt.cancel_result(), message="Run was canceled.")
    if failed:
        message = f"{len(failed)} of {total} iterations failed."
        return Outcome(s.FAILED, message=message, error=message)
    return Outcome(s.SUCCESS, message=f"{total} iterations succeeded.")


def pipeline(runner: PipelineRunner, attempt: Attempt, cancelled: threading.Event) -> Outcome:
    spec = attempt.resolved.get("pipeline_task") or {}
    attempt.directory.mkdir(parents=True, exist_ok=True)
    request = PipelineTaskRequest(
        pipeline_id=str(spec.get("pipeline_id", "")),
        full_refresh=bool(spec.get("full_refresh")),
        log_file=attempt.log_file,
    )
    result = runner.run_update(request, cancelled)
    state = attempt.cancel_result() if result.state == s.CANCELED and cancelled.is_set() else result.state
    outcome = Outcome(state, error=result.error, error_trace=result.error_trace, values=result.task_values)
    if state != s.SUCCESS:
        outcome.message = result.error or f"Pipeline update ended {result.state}."
    return outcome


def handlers(pipelines: PipelineRunner) -> dict[str, TaskExecutor]:
    """The task types the server runs itself, by task type; `pipelines` runs pipeline tasks."""
    return {
        "condition_task": condition,
        "run_job_task": run_job,
        "for_each_task": for_each,
        "pipeline_task": partial(pipeline, pipelines),
    }


def _number(text: str) -> float | None:
    try:
        return float(text.strip())
    except ValueError:
        return None


def _inputs(raw: Any) -> list[Any]:
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as err:
            raise ValueError(f"for_each_task inputs must be a JSON array: {err.msg} in {raw!r}") from None
    if not isinstance(value, list):
        raise ValueError(f"for_each_task inputs must be a JSON array; got {raw!r}")
    if len(value) > MAX_ITERATIONS:
        raise ValueError(f"for_each_task accepts at most {MAX_ITERATIONS} inputs; got {len(value)}")
    return value


def _stats(attempt: Attempt, total: int, active: list[Any], done: list[Any]) -> None:
    succeeded = sum(1 for e in done if e.last and e.last.result == s.SUCCESS)
    errors: dict[str, int] = {}
    for execution in done:
        if execution.last and execution.last.result != s.SUCCESS:
            message = execution.last.error or execution.last.message or execution.last.result
            errors[message] = errors.get(message, 0) + 1
    stats: dict[str, Any] = {
        "task_run_stats": {
            "total_iterations": total,
            "scheduled_iterations": len(active) + len(done),
            "active_iterations": len(active),
            "completed_iterations": len(done),
            "succeeded_iterations": succeeded,
            "failed_iterations": len(done) - succeeded,
        }
    }
    if errors:
        stats["error_message_stats"] = [
            {"error_message": m, "count": c, "termination_category": "RUN_EXECUTION_ERROR"}
            for m, c in errors.items()
        ]
    settings = attempt.doc.setdefault("for_each_task", {})
    if settings.get("stats") != stats:
        settings["stats"] = stats
        attempt.save()
