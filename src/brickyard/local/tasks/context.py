"""What every task runner gets: the request, the open session, and the worker's shared services.

Built once per task by the worker. Runners take what they need from it instead of reaching for
globals, and tests can build one around a real session.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brickyard.local.dbutils import (
    DBUtils,
    FileSystem,
    Jobs,
    Library,
    NotebookUtils,
    Secrets,
    TaskValues,
    Widgets,
)
from brickyard.local.dbutils.context import NotebookContext
from brickyard.local.dbutils.notebook import RunNotebook
from brickyard.local.protocol import TaskRequest
from brickyard.local.tasks.deadline import Deadlines
from brickyard.local.tasks.paths import Locations
from brickyard.local.tasks.redact import Redactor


@dataclass
class TaskContext:
    request: TaskRequest
    spark: Any
    redactor: Redactor
    deadlines: Deadlines = field(default_factory=Deadlines)
    task_values: dict[str, Any] = field(default_factory=dict)
    """Values this task set with dbutils.jobs.taskValues.set."""

    @property
    def locations(self) -> Locations:
        return Locations(Path(self.request.workspace_root), Path(self.request.storage_root))

    @property
    def cache_root(self) -> Path:
        """Where the worker keeps what it builds (wheel environments, dbt profiles) across runs."""
        if self.request.cache_root:
            return Path(self.request.cache_root)
        roots = [os.path.abspath(self.request.workspace_root), os.path.abspath(self.request.storage_root)]
        return Path(os.path.commonpath(roots)) / "cache"

    @property
    def settings(self) -> dict[str, Any]:
        return self.request.task

    def notebook_context(self) -> NotebookContext:
        """What `dbutils.notebook.entry_point…getContext()` answers in this task."""
        request = self.request
        notebook = request.task.get("notebook_task") or {}
        return NotebookContext(
            api_url=request.host,
            api_token=request.token,
            notebook_path=str(notebook.get("notebook_path") or ""),
            run_id=request.task_run_id,
            job_id=request.job_id,
            tag_values={"jobId": str(request.job_id or ""), "runId": str(request.task_run_id)},
        )

    def dbutils(self, parameters: Mapping[str, str], run_notebook: RunNotebook) -> DBUtils:
        """A dbutils whose widgets hold `parameters`; one per notebook, so widgets do not leak."""
        request = self.request
        return DBUtils(
            widgets=Widgets(parameters),
            secrets=Secrets(Path(request.metadata_db), self.redactor),
            fs=FileSystem(Path(request.storage_root)),
            notebook=NotebookUtils(run_notebook, self.notebook_context()),
            jobs=Jobs(TaskValues(request.task_key, request.task_values, self.task_values)),
            library=Library(),
        )
