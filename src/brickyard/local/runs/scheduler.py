"""The Jobs service: starts runs, enforces `max_concurrent_runs`, queues, cancels, recovers.

A new run of a job that is at its concurrency limit is queued when the job (or the run request)
enables queueing, and otherwise skipped with MAXIMUM_CONCURRENT_RUNS_REACHED, as a workspace does.
A queued run starts when a run of the same job ends. One-time runs (`runs/submit`) each have a job
of their own, so they never wait for each other.

Runs a stopped server left in progress cannot be resumed (their workers died with it); at the next
start they are closed as INTERNAL_ERROR so that nobody polls them forever.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.procs import is_worker_process
from brickyard.local.runs import states as s
from brickyard.local.runs.execution import RunExecution, RunSetting
from brickyard.local.runs.overrides import apply_overrides, job_parameters, overriding_parameters
from brickyard.local.runs.references import RefContext, ReferenceError_, resolve_text
from brickyard.local.runs.tasks import Attempt
from brickyard.local.runs.worker_task import PID_FILE
from brickyard.local.store.jobs import JobRecord, JobStore
from brickyard.local.store.runs import JOB

log = logging.getLogger("brickyard.local")
INTERRUPTED = "The local workspace stopped while this run was in progress."


class Orchestrator:
    def __init__(self, setting: RunSetting, jobs: JobStore) -> None:
        self.setting = setting
        self.jobs = jobs
        self.runs = setting.runs
        self._lock = threading.Lock()
        self._active: dict[int, RunExecution] = {}
        self._closing = False

    # ---- starting runs ---------------------------------------------------------------------------

    def run_now(self, body: dict[str, Any], trigger: str = "ONE_TIME") -> dict[str, Any]:
        job = self.jobs.get(body.get("job_id"))
        token = body.get("idempotency_token")
        if token and (existing := self.runs.run_for_token(f"job:{job.job_id}:{token}")):
            return {"run_id": existing, "number_in_job": existing}
        only = body.get("only") or None
        if only:
            known = {t["task_key"] for t in job.settings.get("tasks") or []}
            unknown = [key for key in only if key not in known]
            if unknown:
                raise ApiError.invalid(
                    f"Task(s) {', '.join(unknown)} in `only` are not tasks of job {job.job_id}."
                )
        settings = apply_overrides(job.settings, body)
        queue = (body.get("queue") or settings.get("queue") or {}).get("enabled", False)
        execution = self._new_run(job, settings, body.get("job_parameters") or {}, "JOB_RUN", trigger, only)
        execution.doc["overriding_parameters"] = overriding_parameters(body)
        if not execution.doc["overriding_parameters"]:
            del execution.doc["overriding_parameters"]
        if token:
            self.runs.remember_token(f"job:{job.job_id}:{token}", execution.run_id)
        self._launch(execution, bool(queue))
        return {"run_id": execution.run_id, "number_in_job": execution.run_id}

    def submit(self, body: dict[str, Any]) -> dict[str, Any]:
        token = body.get("idempotency_token")
        if token and (existing := self.runs.run_for_token(f"submit:{token}")):
            return {"run_id": existing}
        settings = {
            k: copy.deepcopy(v)
            for k, v in body.items()
            if k not in ("run_name", "idempotency_token", "access_control_list", "queue")
        }
        settings["name"] = body.get("run_name") or "Untitled"
        settings["max_concurrent_runs"] = 1
        job = self.jobs.create(settings, self.setting.identity.user, hidden=True)
        execution = self._new_run(job, job.settings, {}, "SUBMIT_RUN", "ONE_TIME", None)
        if token:
            self.runs.remember_token(f"submit:{token}", execution.run_id)
        self._launch(execution, queue=False)
        return {"run_id": execution.run_id}

    def start_child(self, spec: dict[str, Any], parent: Attempt) -> RunExecution:
        """The run a run_job task starts; it counts against the child job's concurrency like any run."""
        try:
            job = self.jobs.get(spec.get("job_id"))
        except ApiError:
            raise ApiError.not_found(f"Job {spec.get('job_id')} does not exist.") from None
        settings = apply_overrides(job.settings, spec)
        params = {str(k): str(v) for k, v in (spec.get("job_parameters") or {}).items()}
        execution = self._new_run(job, settings, params, "JOB_RUN", "RUN_JOB_TASK", None)
        execution.doc["trigger_info"] = {"run_id": parent.run_id}
        queue = (settings.get("queue") or {}).get("enabled", False)
        self._launch(execution, bool(queue))
        return execution

    def _new_run(
        self,
        job: JobRecord,
        settings: dict[str, Any],
        given: dict[str, Any],
        run_type: str,
        trigger: str,
        only: list[str] | None,
    ) -> RunExecution:
        run_id = self.runs.new_id()
        started = int(time.time() * 1000)
        params, docs = job_parameters(settings, given)
        ctx = RefContext(
            job_id=job.job_id,
            job_name=settings.get("name", ""),
            run_id=run_id,
            start_time_ms=started,
            trigger=trigger,
            host=self.setting.identity.host,
            workspace_id=self.setting.identity.workspace_id,
        )
        try:
            params = {k: resolve_text(v, ctx) for k, v in params.items()}
        except ReferenceError_ as err:
            raise ApiError.invalid(f"job parameter: {err}") from None
        for doc in docs:
            doc["value"] = params[doc["name"]]
        extra: dict[str, Any] = {"job_parameters": docs} if docs else {}
        execution = RunExecution(
            self.setting,
            self,
            run_id,
            job.job_id,
            settings.get("name", ""),
            settings,
            params,
            run_type,
            trigger,
            extra,
            only,
        )
        execution.start_time = execution.doc["start_time"] = started
        return execution

    def repair(self, body: dict[str, Any]) -> dict[str, Any]:
        """Run some tasks of a finished run again, in that run (`runs.repair`)."""
        from brickyard.local.runs.repair import repair

        return repair(self, body)

    def is_active(self, run_id: int) -> bool:
        with self._lock:
            return run_id in self._active

    def launch(self, execution: RunExecution) -> None:
        """Start a run built elsewhere (a repair): queued, never skipped, at the job's limit."""
        self._launch(execution, queue=True)

    def _launch(self, execution: RunExecution, queue: bool) -> None:
        if self._closing:
            raise ApiError(503, "TEMPORARILY_UNAVAILABLE", "the local workspace is shutting down")
        with self._lock:
            running = [
                e for e in self._active.values() if e.job_id == execution.job_id and e.admitted.is_set()
            ]
            limit = execution.max_runs
            message = f"The maximum number of concurrent runs ({limit}) of job {execution.job_id} is reached."
            if limit > 0 and len(running) < limit:
                execution.admitted.set()
            elif limit > 0 and queue:
                execution.queue(f"Queued: {message}")
            else:
                execution.skip(f"Skipping this run: {message}")
                return
            self._active[execution.run_id] = execution
        execution.start()

    def finished(self, execution: RunExecution) -> None:
        """Called by a run as it ends: admit the oldest queued run of the same job, if any fits."""
        with self._lock:
            self._active.pop(execution.run_id, None)
            same = sorted(
                (e for e in self._active.values() if e.job_id == execution.job_id), key=lambda e: e.run_id
            )
            running = [e for e in same if e.admitted.is_set()]
            for queued in (e for e in same if not e.admitted.is_set()):
                if len(running) >= queued.max_runs:
                    break
                queued.admitted.set()
                running.append(queued)

    # ---- stopping runs ---------------------------------------------------------------------------

    def cancel(self, run_id: Any) -> None:
        row = self.runs.get(run_id)
        execution = self._active.get(row.root_run_id)
        if execution is not None:
            execution.cancel(s.CANCELED)

    def cancel_all(self, job_id: Any, all_queued: bool) -> None:
        if job_id is None and not all_queued:
            raise ApiError.invalid("give job_id, or all_queued_runs=true")
        if job_id is not None:
            job_id = self.jobs.get(job_id).job_id
        with self._lock:
            targets = [
                e
                for e in self._active.values()
                if (job_id is None or e.job_id == job_id) and (not all_queued or not e.admitted.is_set())
            ]
        for execution in targets:
            execution.cancel(s.CANCELED)

    def delete(self, run_id: Any) -> None:
        row = self.runs.get(run_id)
        if row.kind != JOB:
            raise ApiError.invalid(f"Run {row.run_id} is a task run; delete its job run {row.root_run_id}.")
        if row.active or row.run_id in self._active:
            raise ApiError.invalid_state(f"Run {row.run_id} is active; cancel it before deleting it.")
        self.runs.delete(row.run_id)
        directory = self.setting.runs_dir / str(row.run_id)
        if directory.is_dir():
            import shutil

            shutil.rmtree(directory, ignore_errors=True)

    def active_runs(self) -> int:
        """How many runs are queued or running."""
        with self._lock:
            return len(self._active)

    def recover(self) -> int:
        """Close runs a previous server left active; returns how many."""
        rows = self.runs.interrupted()
        for row in rows:
            if row.kind != JOB:
                _end_orphan(self.setting.runs_dir / str(row.root_run_id) / str(row.run_id) / PID_FILE)
            doc = row.doc
            doc.update(
                s.state_docs(s.INTERNAL_ERROR, s.FAILED, INTERRUPTED),
                end_time=doc.get("end_time") or int(time.time() * 1000),
            )
            self.runs.save(row.kind, doc, row.parent_run_id, row.root_run_id)
        return len(rows)

    def shutdown(self, timeout: float = 20.0) -> None:
        """Cancel every active run and wait for them to end, so their documents say so."""
        self._closing = True
        with self._lock:
            active = list(self._active.values())
        for execution in active:
            execution.cancel(s.CANCELED)
        deadline = time.monotonic() + timeout
        for execution in active:
            if not execution.done.wait(max(0.0, deadline - time.monotonic())):
                log.warning("run %s did not stop within %.0fs", execution.run_id, timeout)


def _end_orphan(pid_file: Path) -> None:
    """Kill the worker a crashed server left running (its process group: the task and its children)."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    if is_worker_process(pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
