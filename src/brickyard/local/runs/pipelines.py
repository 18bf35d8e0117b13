"""The seam for `pipeline_task`: the orchestrator hands a pipeline update to a `PipelineRunner`.

The local pipeline executor (Lakeflow/DLT on Spark Connect) is built separately. It plugs in by
implementing `PipelineRunner` and returning an instance from `default_runner()`, the one place the
server asks for it. Until then a pipeline task fails with a message that says so, instead of
pretending to have run.

The runner is called in the task's own thread; it must return when `cancelled` is set (the run was
canceled or timed out) and report the outcome as a `TaskResult`, like a worker does.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from brickyard.local.protocol import TaskResult


@dataclass(frozen=True)
class PipelineTaskRequest:
    run_id: int
    task_run_id: int
    pipeline_id: str
    full_refresh: bool
    spark_remote: str
    warehouse: Path
    home: Path
    log_file: Path
    """Where the update's narration goes: it becomes the task's logs in runs/get-output."""
    host: str = ""
    token: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)


class PipelineRunner(Protocol):
    def run_update(self, request: PipelineTaskRequest, cancelled: threading.Event) -> TaskResult: ...


def default_runner(services: Any) -> PipelineRunner | None:
    """The server's pipeline runner; None until the local pipeline executor exists.

    `services` is the server's `Services` (store, compute, home), for a runner that needs them.
    """
    return None


NO_RUNNER_MESSAGE = (
    "pipeline_task is not supported by this local workspace yet: it has no pipeline executor. "
    "Run the pipeline on a Databricks workspace, or remove the task from local runs."
)
