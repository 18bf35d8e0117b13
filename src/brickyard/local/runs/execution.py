"""One job run, driven through its task graph in a thread of its own.

The loop starts every task whose dependencies have finished (or records why it will not run),
then sleeps until a task finishes, the run is canceled, or the job's timeout passes. When nothing is
left it derives the run's result from its leaf tasks (`runs.graph`) and walks the life cycle to the
end: RUNNING → TERMINATING → TERMINATED. While it runs it holds a token of its own (`runs.tokens`),
which its tasks authenticate with; the token is revoked before the run is reported ended.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from brickyard.local.runs import states as s
from brickyard.local.runs.graph import classify, decide, run_result
from brickyard.local.runs.identity import WorkspaceIdentity
from brickyard.local.runs.notices import RunNotices
from brickyard.local.runs.outcome import Outcome
from brickyard.local.runs.references import UpstreamTask
from brickyard.local.runs.tasks import Attempt, TaskExecution, TaskExecutor
from brickyard.local.runs.tokens import RunTokens
from brickyard.local.store.runs import JOB, TASK, RunStore

log = logging.getLogger("brickyard.local")


class Scheduler(Protocol):
    """What a run tells the scheduler that started it (`runs.scheduler.Orchestrator`)."""

    def finished(self, execution: RunExecution) -> None: ...

    def start_child(self, spec: dict[str, Any], parent: Attempt) -> RunExecution: ...


@dataclass(frozen=True)
class RunSetting:
    """What every run of this workspace shares; built once, when the server is wired."""

    runs: RunStore
    runs_dir: Path
    identity: WorkspaceIdentity
    execute: TaskExecutor
    tokens: RunTokens
    release_thread: Callable[[], None]
    """Gives back the ending thread's database connection (`store.db.Database.release_thread`)."""
    notices: RunNotices | None = None
    """The job's email and webhook notifications (`runs.notices`); none: not sent."""


class RunExecution:
    def __init__(
        self,
        setting: RunSetting,
        scheduler: Scheduler,
        run_id: int,
        job_id: int,
        job_name: str,
        settings: dict[str, Any],
        parameters: dict[str, str],
        run_type: str,
        trigger: str,
        extra: dict[str, Any],
        only: list[str] | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.runs = setting.runs
        self.identity = setting.identity
        self._setting = setting
        self.token = ""
        """Issued when the run starts, revoked when it ends (`runs.tokens`)."""
        self.run_id = run_id
        self.job_id = job_id
        self.job_name = job_name
        self.settings = settings
        self.parameters = parameters
        self.trigger = trigger
        self.only = set(only) if only else None
        self.start_time = int(time.time() * 1000)
        self.max_runs = int(settings.get("max_concurrent_runs", 1))
        self.cond = threading.Condition()
        self.admitted = threading.Event()
        self.done = threading.Event()
        self.cancel_reason: str | None = None
        self.result: str | None = None
        self.tasks: dict[str, TaskExecution] = {}
        self._finishing = False
        self.doc: dict[str, Any] = {
            "job_id": job_id,
            "run_id": run_id,
            "number_in_job": run_id,
            "original_attempt_run_id": run_id,
            "creator_user_name": self.identity.user,
            "run_name": job_name,
            "run_type": run_type,
            "trigger": trigger,
            "format": settings.get("format") or "MULTI_TASK",
            "attempt_number": 0,
            "start_time": self.start_time,
            "end_time": 0,
            "setup_duration": 0,
            "execution_duration": 0,
            "cleanup_duration": 0,
            "run_duration": 0,
            "run_page_url": self.page_url(run_id),
            **extra,
            **s.state_docs(s.PENDING),
        }
        for key in ("job_clusters", "git_source", "environments"):
            if settings.get(key):
                self.doc[key] = settings[key]

    # ---- what tasks ask of their run -----------------------------------------------------------

    @property
    def directory(self) -> Path:
        return self._setting.runs_dir / str(self.run_id)

    def page_url(self, run_id: int) -> str:
        return f"{self.identity.host}/#job/{self.job_id}/run/{run_id}"

    def execute(self, attempt: Attempt, cancelled: threading.Event) -> Outcome:
        return self._setting.execute(attempt, cancelled)

    def start_child(self, spec: dict[str, Any], parent: Attempt) -> RunExecution:
        return self.scheduler.start_child(spec, parent)

    def release_thread(self) -> None:
        self._setting.release_thread()

    def notify(self) -> None:
        with self.cond:
            self.cond.notify_all()

    def upstream(self) -> dict[str, UpstreamTask]:
        return {key: t.upstream() for key, t in list(self.tasks.items()) if t.done.is_set()}

    def upstream_values(self) -> dict[str, dict[str, Any]]:
        return {key: dict(up.values) for key, up in self.upstream().items() if up.values}

    def save(self) -> None:
        self.runs.save(JOB, self.doc, None, self.run_id)

    # ---- life cycle ------------------------------------------------------------------------------

    def queue(self, message: str) -> None:
        self.doc.update(s.state_docs(s.QUEUED, message=message, queue_code="MAX_CONCURRENT_RUNS_REACHED"))
        self.save()

    def skip(self, message: str) -> None:
        """Never runs: the job is at its concurrency limit and does not queue."""
        self.result = s.MAXIMUM_CONCURRENT_RUNS_REACHED
        self.doc.update(s.state_docs(s.SKIPPED, self.result, message), end_time=int(time.time() * 1000))
        self.save()
        self.done.set()
        self._tell("ended")

    def start(self) -> None:
        self.save()
        threading.Thread(target=self._main, name=f"run-{self.run_id}", daemon=True).start()

    def cancel(self, reason: str = s.CANCELED) -> bool:
        """Ask the run to stop; False if it is already finishing."""
        with self.cond:
            if self._finishing or self.done.is_set():
                return False
            if self.cancel_reason is None:
                self.cancel_reason = reason
            for execution in self.tasks.values():
                execution.cancel()
            self.cond.notify_all()
        self.admitted.set()
        return True

    def _main(self) -> None:
        try:
            while not self.admitted.wait(0.5):
                pass
            self.token = self._setting.tokens.issue(f"run {self.run_id}")
            queued_for = int(time.time() * 1000) - self.start_time
            if self.doc["state"]["life_cycle_state"] == s.QUEUED:
                self.doc["queue_duration"] = queued_for
            if self.cancel_reason is None:
                self.doc.update(s.state_docs(s.RUNNING))
                self.save()
                self._tell("started")
            self._drive()
            self._finish()
        except Exception as err:  # never leave a run active forever
            log.exception("run %s failed inside the orchestrator", self.run_id)
            self._setting.tokens.revoke(self.token)
            self.result = s.FAILED
            self.doc.update(
                s.state_docs(s.INTERNAL_ERROR, s.FAILED, f"internal error in the local orchestrator: {err}"),
                end_time=int(time.time() * 1000),
            )
            self.save()
        finally:
            self._setting.tokens.revoke(self.token)
            self.done.set()
            self.scheduler.finished(self)
            self._tell("ended")
            self._setting.release_thread()

    def _tell(self, event: str) -> None:
        """Queue the job's notifications for `event`; whatever happens there, the run goes on."""
        notices = self._setting.notices
        if notices is None:
            return
        try:
            (notices.started if event == "started" else notices.ended)(self)
        except Exception:
            log.exception("the notifications of run %s could not be queued", self.run_id)

    def tell_task(self, attempt: Attempt, event: str, retried: bool = False) -> None:
        notices = self._setting.notices
        if notices is None:
            return
        try:
            if event == "started":
                notices.task_started(self, attempt)
            else:
                notices.task_ended(self, attempt, retried)
        except Exception:
            log.exception("the notifications of task run %s could not be queued", attempt.run_id)

    def _drive(self) -> None:
        tasks = [
            t for t in self.settings.get("tasks") or [] if self.only is None or t["task_key"] in self.only
        ]
        keys = {t["task_key"] for t in tasks} | set(self.tasks)  # a repair's tasks kept as they were
        pending = {t["task_key"]: t for t in tasks}
        timeout = int(self.settings.get("timeout_seconds") or 0)
        deadline = time.monotonic() + timeout if timeout else None
        with self.cond:
            while True:
                progressed = self._start_ready(pending, keys)
                if not pending and all(t.done.is_set() for t in self.tasks.values()):
                    return
                if progressed:
                    continue
                if deadline is not None and time.monotonic() >= deadline and self.cancel_reason is None:
                    self.cancel_reason = s.TIMEDOUT
                    for execution in self.tasks.values():
                        execution.cancel()
                wait = None if deadline is None else max(0.0, deadline - time.monotonic())
                self.cond.wait(0.5 if wait is None else min(wait, 0.5))

    def _start_ready(self, pending: dict[str, dict[str, Any]], keys: set[str]) -> bool:
        progressed = False
        for key, task in list(pending.items()):
            deps = [d for d in task.get("depends_on") or [] if d.get("task_key") in keys]
            if any(
                d["task_key"] not in self.tasks or not self.tasks[d["task_key"]].done.is_set() for d in deps
            ):
                continue
            del pending[key]
            execution = TaskExecution(self, task, TASK, self.run_id)
            self.tasks[key] = execution
            progressed = True
            if self.cancel_reason is not None:
                execution.skip(s.UPSTREAM_CANCELED if deps else s.CANCELED)
                continue
            classes = [classify(self.tasks[d["task_key"]].finished, d.get("outcome")) for d in deps]
            verdict = decide(task.get("run_if"), classes)
            if verdict is None:
                execution.start()
            else:
                execution.skip(verdict)
        return progressed

    def _finish(self) -> None:
        with self.cond:
            self._finishing = True
        # Every task has ended: the run's credential goes before anyone can read that it ended.
        self._setting.tokens.revoke(self.token)
        results = {key: t.finished.result_state for key, t in self.tasks.items()}
        tasks = [t.task for t in self.tasks.values()]
        self.result = self.cancel_reason or run_result(tasks, results)
        message = self._message()
        self.doc.update(s.state_docs(s.TERMINATING, message=message))
        self.save()
        end = int(time.time() * 1000)
        self.doc.update(
            s.state_docs(s.TERMINATED, self.result, message),
            end_time=end,
            run_duration=end - self.start_time,
        )
        self.save()

    def _message(self) -> str:
        if self.result == s.TIMEDOUT and self.cancel_reason == s.TIMEDOUT:
            return f"Run timed out after {self.settings.get('timeout_seconds')} seconds."
        if self.result == s.CANCELED:
            return "Run was canceled."
        if self.result in (s.SUCCESS, s.SUCCESS_WITH_FAILURES):
            return ""
        for key, execution in self.tasks.items():
            last = execution.last
            if last is not None and last.result in (s.FAILED, s.TIMEDOUT):
                return f"Task {key} failed with message: {last.message or last.result}."
        return "Workload failed, see run output for details"
