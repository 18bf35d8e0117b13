"""dbt fork servers started ahead: a run's first task starts the fork servers its dbt tasks will use.

A dbt task forks from a fork server that has imported dbt (`workers`, `tasks.dbt_warm`), seconds of
CPU that the first dbt task after a server start used to wait for. A job usually runs its dbt task
after others (land, refresh, score, then build the marts), so as the run's first task starts, each
of its dbt tasks' environments is built if needed (`runs.environments`, which locks against the
task building it too) and its dbt fork server started, in the background: the import overlaps the
tasks before it. Anything that fails here is left for the dbt task itself to meet and report.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import weakref
from pathlib import Path
from typing import Any

from brickyard.local.home import LocalHome
from brickyard.local.runs.environments import EnvironmentError_, build
from brickyard.local.runs.task_compute import (
    ComputeError,
    ComputeSpec,
    environment_plan,
    environments_cache,
    new_cluster_spec,
)
from brickyard.local.runs.tasks import Attempt
from brickyard.local.runs.workers import WorkerPool


class DbtAhead:
    def __init__(self, home: LocalHome, pool: WorkerPool) -> None:
        self.home = home
        self.pool = pool
        self._seen: weakref.WeakSet[Any] = weakref.WeakSet()
        self._lock = threading.Lock()

    def for_run(self, attempt: Attempt) -> None:
        """Once per run, as a task of it starts: start the fork servers of its other dbt tasks."""
        with self._lock:
            if attempt.run in self._seen:
                return
            self._seen.add(attempt.run)
        settings = attempt.run.settings
        tasks = [
            task
            for task in settings.get("tasks") or []
            if "dbt_task" in task
            and task.get("task_key") != attempt.task.get("task_key")
            and not task.get("existing_cluster_id")  # starting a cluster is the task's own business
        ]
        if tasks:
            threading.Thread(
                target=self._start, args=(tasks, settings), name="dbt-ahead", daemon=True
            ).start()

    def _start(self, tasks: list[dict[str, Any]], settings: dict[str, Any]) -> None:
        for task in tasks:
            with contextlib.suppress(ComputeError, EnvironmentError_, OSError):
                spec = new_cluster_spec(task, settings)
                if "PYTHONPATH" not in spec.env:  # such a task starts cold, not forked
                    self.pool.prepare_dbt(self._python(task, spec, settings))

    def _python(self, task: dict[str, Any], spec: ComputeSpec, settings: dict[str, Any]) -> str | None:
        """The Python of the dbt task's cluster environment, built if needed; None: the server's."""
        plan = environment_plan(task, settings, spec, self.home)
        if plan is None or not plan.requirements:
            return None
        with tempfile.TemporaryDirectory(prefix="dbt-ahead-") as work:
            python, _ = build(plan, environments_cache(self.home), Path(work))
        return python
