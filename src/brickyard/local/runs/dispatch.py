"""Which runner executes an attempt: the server itself for the orchestration types (`runs.control`),
a worker process for everything else (`runs.worker_task`). Built when the server is wired and
given to every run, so tasks and runs depend on neither runner."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from brickyard.local.runs.outcome import Outcome
from brickyard.local.runs.tasks import Attempt, TaskExecutor, task_type


class TaskDispatch:
    def __init__(self, in_worker: TaskExecutor, in_server: Mapping[str, TaskExecutor]) -> None:
        self.in_worker = in_worker
        self.in_server = dict(in_server)

    def __call__(self, attempt: Attempt, cancelled: threading.Event) -> Outcome:
        handler = self.in_server.get(task_type(attempt.task))
        if handler is None:
            return self.in_worker(attempt, cancelled)
        attempt.mark_running()  # nothing to set up: it runs as soon as it starts
        return handler(attempt, cancelled)
