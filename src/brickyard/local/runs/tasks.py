"""One task of a run: its attempts, retries, timeout and cancel, in a thread of its own.

Each attempt is a task run with its own run id, as on a workspace, so `runs/get` lists every
attempt and `attempt_number` counts them. Workers run the code-carrying task types; the
orchestration types (condition, run_job, for_each) and pipeline tasks are handled in the server
(`runs.control`), since they start no user code of their own. Which of the two runs an attempt is
the run's `execute` (`runs.dispatch`), given to it when the server is wired, so this module knows
neither.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from brickyard.local.runs import states as s
from brickyard.local.runs.graph import Finished
from brickyard.local.runs.identity import WorkspaceIdentity
from brickyard.local.runs.outcome import Outcome
from brickyard.local.runs.references import RefContext, ReferenceError_, UpstreamTask, resolve
from brickyard.local.store.runs import RunStore
from brickyard.task_types import TASK_TYPES

TaskExecutor = Callable[["Attempt", threading.Event], Outcome]
"""Runs one attempt to its outcome: in a worker, or in the server for the orchestration types."""


class ChildRun(Protocol):
    """A run that a run_job task started and follows."""

    run_id: int
    job_id: int
    result: str | None
    done: threading.Event
    tasks: dict[str, Any]
    """Its task executions by key; a failed child's error is read from its failing task's last attempt."""

    def cancel(self, reason: str = ...) -> bool: ...


class TaskRun(Protocol):
    """What a task needs of the job run it belongs to (`runs.execution.RunExecution`)."""

    run_id: int
    job_id: int
    job_name: str
    settings: dict[str, Any]
    parameters: dict[str, str]
    trigger: str
    start_time: int
    cancel_reason: str | None
    cond: threading.Condition
    runs: RunStore
    identity: WorkspaceIdentity
    token: str
    """The run's own credential (`runs.tokens`): what its task code authenticates with."""

    @property
    def directory(self) -> Path: ...

    def page_url(self, run_id: int) -> str: ...

    def notify(self) -> None: ...

    def upstream(self) -> dict[str, UpstreamTask]: ...

    def upstream_values(self) -> dict[str, dict[str, Any]]: ...

    def execute(self, attempt: Attempt, cancelled: threading.Event) -> Outcome: ...

    def start_child(self, spec: dict[str, Any], parent: Attempt) -> ChildRun: ...

    def release_thread(self) -> None: ...

    def tell_task(self, attempt: Attempt, event: str, retried: bool = False) -> None:
        """The task's own notifications (`runs.notices`): "started" or "ended" (`retried`: another
        attempt follows); never raises."""


# Settings a task run echoes back in runs/get, as a workspace does.
DOC_FIELDS = (
    "description",
    "depends_on",
    "run_if",
    "existing_cluster_id",
    "job_cluster_key",
    "new_cluster",
    "environment_key",
    "libraries",
    "timeout_seconds",
    "max_retries",
    "min_retry_interval_millis",
    "retry_on_timeout",
    "disabled",
)


def task_type(task: dict[str, Any]) -> str:
    return next((name for name in TASK_TYPES if task.get(name) is not None), "")


class TaskExecution:
    def __init__(
        self,
        run: TaskRun,
        task: dict[str, Any],
        kind: str,
        parent_run_id: int,
        item: Any = None,
        has_item: bool = False,
    ) -> None:
        self.run = run
        self.task = task
        self.key: str = task["task_key"]
        self.kind = kind
        self.parent_run_id = parent_run_id
        self.item = item
        self.has_item = has_item
        self.cancelled = threading.Event()
        self.done = threading.Event()
        self.attempts: list[Attempt] = []
        self.last: Outcome | None = None
        self._thread: threading.Thread | None = None

    # ---- as the run sees it ----------------------------------------------------------------------

    @property
    def finished(self) -> Finished:
        result = self.last.result if self.last else None
        return Finished(result, self.last.outcome if self.last else None)

    def upstream(self) -> UpstreamTask:
        last = self.attempts[-1] if self.attempts else None
        outcome = self.last or Outcome(s.EXCLUDED)
        return UpstreamTask(
            run_id=last.run_id if last else 0,
            result_state=outcome.result,
            values=outcome.values,
            error_code=outcome.code or "",
            error_message=outcome.error or "",
            execution_count=len(self.attempts),
            notebook_path=(self.task.get("notebook_task") or {}).get("notebook_path", ""),
        )

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name=f"task-{self.key}", daemon=True)
        self._thread.start()

    def skip(self, result: str) -> None:
        """Record the task as not run (excluded, upstream failed or canceled), without a thread."""
        attempt = Attempt(self, 0)
        messages = {
            s.EXCLUDED: "The task was excluded: its dependencies did not meet its run-if condition.",
            s.UPSTREAM_FAILED: "Upstream task(s) failed.",
            s.UPSTREAM_CANCELED: "Upstream task(s) were canceled.",
            s.CANCELED: "Run was canceled before the task started.",
        }
        attempt.finish(Outcome(result, message=messages.get(result, "")), life=s.SKIPPED)
        self.attempts.append(attempt)
        self.last = Outcome(result)
        self.done.set()
        self.run.tell_task(attempt, "ended")

    def cancel(self) -> None:
        self.cancelled.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    # ---- the attempts ------------------------------------------------------------------------------

    def _main(self) -> None:
        try:
            number = 0
            while True:
                attempt = Attempt(self, number)
                self.attempts.append(attempt)
                if number > 0 and not attempt.wait_for_retry():
                    outcome = Outcome(attempt.cancel_result(), message="Run was canceled.")
                else:
                    if not self.task.get("disabled"):
                        self.run.tell_task(attempt, "started")
                    outcome = attempt.execute()
                attempt.finish(outcome)
                self.last = outcome
                retried = self._retry(outcome, number)
                self.run.tell_task(attempt, "ended", retried)
                if not retried:
                    break
                number += 1
        except Exception as err:  # a bug here must still end the task, or the run waits forever
            self.last = Outcome.failed(f"internal error in the local orchestrator: {err}", "INTERNAL_ERROR")
            if self.attempts:
                self.attempts[-1].finish(self.last, life=s.INTERNAL_ERROR)
        finally:
            self.done.set()
            self.run.notify()
            self.run.release_thread()

    def _retry(self, outcome: Outcome, number: int) -> bool:
        if outcome.result in (s.SUCCESS, s.CANCELED) or self.cancelled.is_set():
            return False
        if outcome.result == s.TIMEDOUT and not self.task.get("retry_on_timeout"):
            return False
        if outcome.result not in (s.FAILED, s.TIMEDOUT):
            return False
        retries = int(self.task.get("max_retries") or 0)
        return retries == -1 or number < retries


class Attempt:
    """One task run: its document, its directory, and the resolved settings it runs with."""

    def __init__(self, execution: TaskExecution, number: int) -> None:
        self.execution = execution
        self.run = execution.run
        self.task = execution.task
        self.number = number
        self.run_id = self.run.runs.new_id()
        self.resolved: dict[str, Any] = {}
        self.started = int(time.time() * 1000)
        self._running_at: int | None = None
        self.doc: dict[str, Any] = {
            "run_id": self.run_id,
            "task_key": execution.key,
            **{k: copy.deepcopy(self.task[k]) for k in DOC_FIELDS if k in self.task},
            task_type(self.task): copy.deepcopy(self.task.get(task_type(self.task))),
            "attempt_number": number,
            "start_time": self.started,
            "setup_duration": 0,
            "execution_duration": 0,
            "cleanup_duration": 0,
            "end_time": 0,
            "run_duration": 0,
            "run_page_url": self.run.page_url(self.run_id),
            **s.state_docs(s.WAITING_FOR_RETRY if number else s.PENDING),
        }
        if self.run.job_id is not None:
            self.doc["job_id"] = self.run.job_id
        self.save()

    @property
    def directory(self) -> Path:
        return self.run.directory / str(self.run_id)

    @property
    def log_file(self) -> Path:
        return self.directory / "log.txt"

    @property
    def cancelled(self) -> threading.Event:
        return self.execution.cancelled

    def cancel_result(self) -> str:
        return s.TIMEDOUT if self.run.cancel_reason == s.TIMEDOUT else s.CANCELED

    def save(self) -> None:
        kind = self.execution.kind
        self.run.runs.save(kind, self.doc, self.execution.parent_run_id, self.run.run_id)

    def wait_for_retry(self) -> bool:
        """Sleep `min_retry_interval_millis`; False if the run is canceled meanwhile."""
        interval = int(self.task.get("min_retry_interval_millis") or 0) / 1000
        return not self.cancelled.wait(interval)

    def mark_running(self) -> None:
        self._running_at = int(time.time() * 1000)
        self.doc.update(s.state_docs(s.RUNNING))
        self.doc["setup_duration"] = self._running_at - self.started
        self.save()

    def execute(self) -> Outcome:
        self.started = int(time.time() * 1000)
        self.doc.update(start_time=self.started, **s.state_docs(s.PENDING))
        self.save()
        if self.task.get("disabled"):
            return Outcome(s.DISABLED, message="The task is disabled.")
        try:
            self.resolved = resolve_task(self.task, self.context())
        except ReferenceError_ as err:
            return Outcome.failed(str(err), "INVALID_RUN_CONFIGURATION")
        self.doc["resolved_values"] = resolved_values(self.resolved)
        return self.run.execute(self, self.cancelled)

    def finish(self, outcome: Outcome, life: str = s.TERMINATED) -> None:
        end = int(time.time() * 1000)
        running_at = self._running_at or end
        self.doc.update(
            s.state_docs(life, outcome.result, outcome.message, code=outcome.code),
            end_time=end,
            execution_duration=end - running_at if self._running_at else 0,
            run_duration=end - self.started,
        )
        if outcome.outcome is not None and "condition_task" in self.doc:
            self.doc["condition_task"] = {
                **(self.resolved.get("condition_task") or {}),
                "outcome": outcome.outcome,
            }
        self.run.runs.set_output(
            self.run_id,
            {
                "notebook_result": outcome.notebook_result,
                "error": outcome.error,
                "error_trace": outcome.error_trace,
                "log_file": str(self.log_file) if self.log_file.exists() else None,
                "task_values": outcome.values,
                "run_job_run_id": outcome.run_job_run_id,
            },
        )
        self.save()

    def context(self) -> RefContext:
        run = self.run
        return RefContext(
            job_id=run.job_id,
            job_name=run.job_name,
            run_id=run.run_id,
            start_time_ms=run.start_time,
            trigger=run.trigger,
            host=run.identity.host,
            workspace_id=run.identity.workspace_id,
            parameters=run.parameters,
            tasks=run.upstream(),
            task_key=self.execution.key,
            task_run_id=self.run_id,
            notebook_path=(self.task.get("notebook_task") or {}).get("notebook_path", ""),
            execution_count=self.number + 1,
            parent_run_id=run.run_id,
            item=self.execution.item,
            has_item=self.execution.has_item,
        )


def resolve_task(task: dict[str, Any], ctx: RefContext) -> dict[str, Any]:
    """The task with references filled in, except inside a for-each's nested task: that one is
    resolved per iteration, where `{{input}}` means something."""
    nested = (task.get("for_each_task") or {}).get("task")
    if nested is None:
        return dict(resolve(task, ctx))
    outer = {**task, "for_each_task": {k: v for k, v in task["for_each_task"].items() if k != "task"}}
    resolved = dict(resolve(outer, ctx))
    resolved["for_each_task"]["task"] = copy.deepcopy(nested)
    return resolved


def resolved_values(task: dict[str, Any]) -> dict[str, Any]:
    """The parameter fields of a task after references were filled in (`include_resolved_values`)."""
    picks = {
        "notebook_task": ("base_parameters",),
        "spark_python_task": ("parameters",),
        "python_wheel_task": ("parameters", "named_parameters"),
        "sql_task": ("parameters",),
        "dbt_task": ("commands",),
        "run_job_task": ("job_parameters",),
        "condition_task": ("left", "right"),
        "for_each_task": ("inputs",),
        "spark_submit_task": ("parameters",),
        "spark_jar_task": ("parameters",),
    }
    found: dict[str, Any] = {}
    for kind, fields in picks.items():
        settings = task.get(kind)
        if isinstance(settings, dict):
            chosen = {f: settings[f] for f in fields if f in settings}
            if chosen:
                found[kind] = chosen
    return found
