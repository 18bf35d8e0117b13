"""Running one task attempt in a worker process: compute, request, wait, result.

The server only spawns and watches. The worker enforces the task's timeout itself and reports
TIMEDOUT; the server's own deadline, a moment later, is the backstop for a worker that cannot
(stuck in native code): it stops the process and reports TIMEDOUT regardless. A cancel is a
SIGTERM, after which the worker stops its Spark session and reports CANCELED; a worker that does not
exit in time is killed.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from brickyard.errors import LocalWorkspaceError
from brickyard.local.engine import CATALOG_SYNC_ENV
from brickyard.local.home import LocalHome
from brickyard.local.protocol import TaskRequest, TaskResult
from brickyard.local.runs import states as s
from brickyard.local.runs.catalog import SNAPSHOT_FILE, read_changes
from brickyard.local.runs.compute import Compute
from brickyard.local.runs.dbt_ahead import DbtAhead
from brickyard.local.runs.environments import EnvironmentError_, build
from brickyard.local.runs.outcome import Outcome
from brickyard.local.runs.task_compute import (
    ComputeError,
    ComputeSpec,
    compute_spec,
    environment_plan,
    environments_cache,
    with_environment_libraries,
)
from brickyard.local.runs.tasks import Attempt
from brickyard.local.runs.workers import WorkerPool, wait_or_deadline
from brickyard.local.samples import Samples
from brickyard.local.store.catalog import CatalogStore
from brickyard.local.store.clusters import ClusterStore

TIMEOUT_GRACE = 1.5
STOP_GRACE = 5.0
LOG_TAIL_BYTES = 5 * 1024 * 1024
PID_FILE = "worker.pid"
"""In the attempt's directory while it runs: a server that restarts after a crash ends the orphan."""


class WorkerTasks:
    """Runs the code-carrying task types, each attempt in a worker process of its own."""

    def __init__(
        self,
        home: LocalHome,
        clusters: ClusterStore,
        catalog: CatalogStore,
        compute: Compute,
        pool: WorkerPool,
        samples: Samples,
    ) -> None:
        self.home = home
        self.clusters = clusters
        self.catalog = catalog
        self.compute = compute
        self.pool = pool
        self.samples = samples
        self.dbt_ahead = DbtAhead(home, pool)

    def __call__(self, attempt: Attempt, cancelled: threading.Event) -> Outcome:
        self.dbt_ahead.for_run(attempt)
        try:
            spec = compute_spec(attempt, self.clusters)
            remote = self.compute.remote_for(spec.spark_conf)
        except ComputeError as err:
            return Outcome.failed(str(err), err.code)
        except LocalWorkspaceError as err:
            return Outcome.failed(f"the Spark engine is not available: {err}", "CLUSTER_ERROR")
        if spec.cluster_id:
            attempt.doc["cluster_instance"] = {
                "cluster_id": spec.cluster_id,
                "spark_context_id": str(spec.spark_context_id or ""),
            }
        directory = attempt.directory
        directory.mkdir(parents=True, exist_ok=True)
        try:
            python = _environment(attempt, spec, self.home)
        except EnvironmentError_ as err:
            return Outcome.failed(str(err), err.code)
        request_file = directory / "request.json"
        result_file = directory / "result.json"
        request = TaskRequest(
            run_id=attempt.run.run_id,
            task_run_id=attempt.run_id,
            task_key=attempt.task["task_key"],
            task=with_environment_libraries(attempt.resolved, attempt.run.settings),
            spark_remote=remote,
            warehouse=str(self.home.warehouse),
            workspace_root=str(self.home.workspace_root),
            storage_root=str(self.home.storage_root),
            metadata_db=str(self.home.metadata_db),
            result_file=str(result_file),
            job_id=attempt.run.job_id,
            attempt=attempt.number,
            job_parameters=dict(attempt.run.parameters),
            task_values=attempt.run.upstream_values(),
            host=attempt.run.identity.host,
            token=attempt.run.token,
            environment=spec.env,
            spark_conf={str(k): str(v) for k, v in spec.spark_conf.items()},
            timeout_seconds=int(attempt.task.get("timeout_seconds") or 0),
            log_file=str(attempt.log_file),
        )
        _write_private(request_file, request.to_json())
        env = dict(spec.env)
        if self.compute.is_embedded(remote):
            self.samples.ensure()
            (directory / SNAPSHOT_FILE).write_text(self.catalog.load().to_json(), encoding="utf-8")
            env[CATALOG_SYNC_ENV] = str(directory)
        if cancelled.is_set():
            return Outcome(attempt.cancel_result(), message="canceled before it started")
        dbt = "dbt_task" in attempt.resolved
        worker = self.pool.launch(request_file, remote, env, directory, python=python, dbt=dbt)
        (directory / PID_FILE).write_text(str(worker.pid))
        attempt.mark_running()
        timeout = request.timeout_seconds
        deadline = time.monotonic() + timeout + TIMEOUT_GRACE if timeout else None
        verdict = wait_or_deadline(worker, deadline, cancelled)
        if verdict is not None:
            worker.stop(STOP_GRACE)
        else:
            worker.stop(0)  # it exited: end whatever it left running in its process group
        (directory / PID_FILE).unlink(missing_ok=True)
        self._apply_catalog_changes(directory)
        if verdict is not None:
            return _stopped(attempt, verdict, timeout)
        return _collect(result_file, worker.returncode, worker.out_file)

    def _apply_catalog_changes(self, directory: Path) -> None:
        """What the task's session did to the catalog becomes the workspace's (see `runs.catalog`)."""
        changes = read_changes(directory)
        if changes:
            self.catalog.apply(changes)


def _environment(attempt: Attempt, spec: ComputeSpec, home: LocalHome) -> str | None:
    """The Python of the task's cluster environment, built if needed (`runs.environments`); None
    when the local runtime is all the cluster asks for. What was decided goes to the task's log."""
    plan = environment_plan(attempt.resolved, attempt.run.settings, spec, home)
    if plan is None:
        return None
    lines = list(plan.notes)
    python = None
    try:
        if plan.requirements:
            python, line = build(plan, environments_cache(home), attempt.directory)
            lines.append(line)
    finally:
        with open(attempt.log_file, "a", encoding="utf-8") as log:
            log.writelines(f"brickyard: {line}\n" for line in lines)
    return python


def _stopped(attempt: Attempt, verdict: str, timeout: int) -> Outcome:
    """The outcome of a worker the server had to stop: its own timeout, or the run's end."""
    if verdict == "timeout":
        message = f"Task timed out after {timeout} seconds."
        return Outcome(s.TIMEDOUT, message=message, error=message)
    result = attempt.cancel_result()
    if result == s.TIMEDOUT:
        message = "The job run timed out."
        return Outcome(result, message=message, error=message)
    return Outcome(result, message="Run was canceled.")


def _collect(result_file: Path, exit_code: int | None, out_file: Path) -> Outcome:
    try:
        result = TaskResult.read(result_file)
    except (OSError, ValueError, TypeError):
        tail = read_tail(out_file, 20_000)
        message = f"The task process exited with code {exit_code} before reporting a result."
        return Outcome.failed(message, "DRIVER_ERROR", trace=tail or None)
    outcome = Outcome(
        result.state if result.state in (s.SUCCESS, s.FAILED, s.TIMEDOUT, s.CANCELED) else s.FAILED,
        notebook_result=result.notebook_result,
        error=result.error,
        error_trace=result.error_trace,
        values=dict(result.task_values or {}),
    )
    if outcome.result != s.SUCCESS:
        outcome.message = result.error or f"Task ended {outcome.result}."
    return outcome


def read_tail(path: Path, limit: int = LOG_TAIL_BYTES) -> str:
    """The last `limit` bytes of a log, decoded; empty if there is no log."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            handle.seek(max(0, size - limit))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _write_private(path: Path, text: str) -> None:
    """The request holds the workspace token: readable by this user only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
