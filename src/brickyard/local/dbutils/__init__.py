"""A local `dbutils`: the Databricks utilities a task's code calls, backed by the local workspace.

Covered: `widgets`, `secrets` (with redaction), `fs`, `notebook.exit/run` and the notebook context
(`notebook.entry_point…getContext()`: workspace URL, token, path, run ids), `jobs.taskValues`, and
`library.restartPython` (a no-op: nothing was installed that needs a restart). Names and signatures
follow Databricks, including its camelCase, so notebooks run unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from brickyard.local.dbutils.fs import FileInfo, FileSystem
from brickyard.local.dbutils.jobs import Jobs, TaskValues
from brickyard.local.dbutils.notebook import NotebookExit, NotebookUtils, WorkflowException
from brickyard.local.dbutils.secrets import SecretNotFound, Secrets
from brickyard.local.dbutils.widgets import InputWidgetNotDefined, Widgets

__all__ = [
    "DBUtils",
    "FileInfo",
    "FileSystem",
    "InputWidgetNotDefined",
    "Jobs",
    "Library",
    "NotebookExit",
    "NotebookUtils",
    "SecretNotFound",
    "Secrets",
    "TaskValues",
    "Widgets",
    "WorkflowException",
]


class Library:
    def restartPython(self) -> None:
        """Packages installed at run time are put first on the path, importable at once: no restart."""

    def installPyPI(self, *args: object, **kwargs: object) -> None:
        raise NotImplementedError("dbutils.library.installPyPI was removed by Databricks; use %pip")


@dataclass
class DBUtils:
    widgets: Widgets
    secrets: Secrets
    fs: FileSystem
    notebook: NotebookUtils
    jobs: Jobs
    library: Library

    def help(self) -> None:
        print("dbutils (local workspace): fs, jobs, library, notebook, secrets, widgets")
