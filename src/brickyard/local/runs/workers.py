"""Worker processes: one per task attempt, forked from the fork server or, failing that, started cold.

A cold worker (`python -m brickyard.local.worker REQUEST.json`) pays ~2 s of CPU importing pyspark
before its task starts. The fork server (`runs.zygote`) paid that once, so a forked worker starts in
milliseconds; that is what makes a trivial run take well under a second, and a DAG of small tasks,
or a for-each with many iterations, not cost 2 s per task. A task whose environment sets
`PYTHONPATH` starts cold, since a running interpreter cannot take it the way a new one does; so does
any task while the fork server is starting or after it died (it is restarted). A task that runs in
its cluster's own environment (`runs.environments`) forks from a fork server of that environment.
dbt tasks fork from a fork server of their own that has imported dbt too (`tasks.dbt_warm`),
started by the first dbt task.

Every worker is its own process group, so a timeout or cancel ends the task and its children, and
every worker dies with the server: a forked one through the fork server, a cold one because it is
started through `runs.tether`. Its
stdout and stderr go to `worker.out` next to the request (interpreter noise, a crash before the
task started); the task's own output goes to `request.log_file`, which the worker writes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Protocol

from brickyard.local.runs.forkserver import ForkServer, ForkServerDown

WORKER_MODULE = "brickyard.local.worker"
TETHER_MODULE = "brickyard.local.runs.tether"
READY_WAIT = 30.0
DBT_PREPARE_MODULE = "brickyard.local.tasks.dbt_warm"
DBT_READY_WAIT = 120.0
"""A dbt fork server imports pyspark and dbt (~10-20 s of CPU): what a cold dbt task pays anyway."""
ENV_FORK_SERVERS = 4
"""Cluster environments that get a fork server of their own (each holds pyspark in memory)."""


class Process(Protocol):
    pid: int

    def wait(self, timeout: float | None) -> int | None: ...

    def poll(self) -> int | None: ...

    def signal(self, sig: int) -> None: ...


class _Popen:
    """A cold process behind the same small interface as a forked one."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.pid = proc.pid

    def wait(self, timeout: float | None) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def poll(self) -> int | None:
        return self.proc.poll()

    def signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)


class Worker:
    def __init__(self, process: Process, out_file: Path, forked: bool) -> None:
        self.process = process
        self.out_file = out_file
        self.forked = forked

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    def wait(self, timeout: float | None) -> int | None:
        return self.process.wait(timeout)

    def stop(self, grace: float) -> int:
        """SIGTERM (the worker cancels its task and writes CANCELED), then SIGKILL after `grace`."""
        if self.process.poll() is None:
            self.process.signal(signal.SIGTERM)
            if self.process.wait(grace) is None:
                self.process.signal(signal.SIGKILL)
        code = self.process.wait(None)
        self.process.signal(signal.SIGKILL)  # anything the task left behind in its group
        return -1 if code is None else code


class WorkerPool:
    def __init__(self, work_dir: Path, base_env: dict[str, str], python: str = sys.executable) -> None:
        self.work_dir = work_dir
        self.base_env = base_env
        self.python = python
        self.forks = ForkServer(work_dir / "forkserver.log", base_env, python)
        self.dbt_forks = ForkServer(work_dir / "forkserver-dbt.log", base_env, python, DBT_PREPARE_MODULE)
        """The dbt fork server: started by the first dbt task, so the next ones find dbt imported."""
        self._env_forks: dict[tuple[str, str | None], ForkServer] = {}
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        """Start the fork server in the background; tasks start cold until it is ready."""
        if not self._closed:
            self.work_dir.mkdir(parents=True, exist_ok=True)
            self.forks.start()

    def launch(
        self,
        request_file: Path,
        spark_remote: str,
        extra_env: dict[str, str],
        cwd: Path,
        python: str | None = None,
        dbt: bool = False,
    ) -> Worker:
        """Start the task in `request_file` (which sets `log_file`), in `python`'s environment if given;
        a `dbt` task from the dbt fork server, where dbt is imported already.

        Other tasks on the same engine with the same environment share a key: the fork server keeps
        a worker ready for the last key it saw (`worker.standby`), so the next such task starts with
        its Spark session already open.
        """
        env = {**extra_env, "SPARK_REMOTE": spark_remote}
        out_file = request_file.with_name("worker.out")
        dbt_forks = self._forks_for(python, DBT_PREPARE_MODULE) if dbt and "PYTHONPATH" not in env else None
        if dbt_forks is not None and dbt_forks.wait_ready(DBT_READY_WAIT):
            try:
                child = dbt_forks.spawn(WORKER_MODULE, [str(request_file)], out_file, cwd, env)
                return Worker(child, out_file, forked=True)
            except ForkServerDown:
                pass
        spec = _standby_spec(request_file, env, self.work_dir / "standby-catalog.json")
        key = json.dumps(spec, sort_keys=True) if spec is not None else None
        worker = self.run_module(WORKER_MODULE, [str(request_file)], out_file, cwd, env, python, key)
        forks = self._forks_for(python)
        if worker.forked and forks is not None and spec is not None and key is not None:
            forks.keep_standby(WORKER_MODULE, key, self.work_dir / "standby.out", spec)
        return worker

    def prepare_dbt(self, python: str | None) -> None:
        """Start the dbt fork server of `python`'s environment (the server's own when None) without
        waiting for it, for a dbt task still to come (`runs.dbt_ahead`)."""
        self._forks_for(python, DBT_PREPARE_MODULE)

    def _forks_for(self, python: str | None, prepare: str | None = None) -> ForkServer | None:
        """The fork server of `python`'s environment (the server's own when None) that ran
        `prepare` (the task worker's preparation when None; dbt's for dbt tasks), started if
        needed; None once `ENV_FORK_SERVERS` environments have one (further ones start cold)."""
        if self._closed:
            return None
        forks: ForkServer | None
        if python is None or python == self.python:
            forks = self.dbt_forks if prepare == DBT_PREPARE_MODULE else self.forks
        else:
            with self._lock:
                forks = self._env_forks.get((python, prepare))
                if forks is None:
                    if len(self._env_forks) >= ENV_FORK_SERVERS:
                        return None
                    name = hashlib.sha256(f"{python}\0{prepare or ''}".encode()).hexdigest()[:12]
                    forks = ForkServer(
                        self.work_dir / f"forkserver-{name}.log", self.base_env, python, prepare
                    )
                    self._env_forks[(python, prepare)] = forks
        forks.start()  # no-op once it runs
        return forks

    def run_module(
        self,
        module: str,
        args: list[str],
        out_file: Path,
        cwd: Path,
        env: dict[str, str],
        python: str | None = None,
        key: str | None = None,
    ) -> Worker:
        """Run `python -m module args` (forked when possible) with `env` on top of the server's.

        A task whose cluster has an environment of its own (`python`) is forked from a fork server
        started in that environment (its first task waits for it to import, as long as a cold
        start would take), so a job whose tasks share a cluster with libraries pays the import once.
        """
        forks = self._forks_for(python)
        if "PYTHONPATH" not in env and forks is not None:
            # A zygote that is still importing is ready sooner than a cold process would be, and
            # two pyspark imports at once only slow each other down.
            forks.wait_ready(READY_WAIT)
            try:
                child = forks.spawn(module, args, out_file, cwd, env, key)
                return Worker(child, out_file, forked=True)
            except ForkServerDown:
                forks.start()
        full_env = {**self.base_env, **env, "PYTHONUNBUFFERED": "1"}
        with open(out_file, "ab") as out:
            proc = subprocess.Popen(
                [python or self.python, "-m", TETHER_MODULE, str(os.getpid()), module, *args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=full_env,
                cwd=cwd,
                start_new_session=True,
            )
        return Worker(_Popen(proc), out_file, forked=False)

    def wait_ready(self, timeout: float) -> bool:
        return self.forks.wait_ready(timeout)

    def close(self) -> None:
        self._closed = True
        self.forks.close()
        self.dbt_forks.close()
        with self._lock:
            others, self._env_forks = list(self._env_forks.values()), {}
        for forks in others:
            forks.close()


def _standby_spec(request_file: Path, env: dict[str, str], preload: Path) -> dict[str, Any] | None:
    """What a worker can prepare for this task before it exists: everything but the task's own
    catalog directory (`BRICKYARD_CATALOG_SYNC`, new for every task). The catalog as this task saw
    it is written to `preload` for the next standby to register ahead; the catalog is not part of
    the key: what changes by the time the next task comes is brought up to date when it starts."""
    from brickyard.local.engine import CATALOG_SYNC_ENV
    from brickyard.local.runs.catalog import SNAPSHOT_FILE

    try:
        request = json.loads(request_file.read_text(encoding="utf-8"))
        spec = {
            "remote": env["SPARK_REMOTE"],
            "warehouse": request["warehouse"],
            "workspace_root": request["workspace_root"],
            "storage_root": request["storage_root"],
            "env": {k: v for k, v in env.items() if k != CATALOG_SYNC_ENV},
        }
        if CATALOG_SYNC_ENV in env:
            partial = preload.with_suffix(f".{threading.get_ident()}.tmp")
            shutil.copyfile(Path(env[CATALOG_SYNC_ENV]) / SNAPSHOT_FILE, partial)
            partial.replace(preload)
            spec["preload"] = str(preload)
        return spec
    except (OSError, ValueError, KeyError, TypeError):
        return None


def wait_or_deadline(worker: Worker, deadline: float | None, cancelled: threading.Event) -> str | None:
    """Wait for the worker to exit; None when it did, "timeout" or "cancel" when it must be stopped."""
    while True:
        if cancelled.is_set():
            return "cancel"
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            return "timeout"
        step = 0.05 if remaining is None else max(0.0, min(0.05, remaining))
        if worker.wait(step) is not None:
            return None
