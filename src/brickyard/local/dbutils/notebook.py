"""`dbutils.notebook`: ending a notebook with a value, and running another notebook for its value.

`exit` stops the notebook at once and makes its argument the run's notebook output, so it is an
exception that unwinds user code (a `BaseException`, so `except Exception` blocks do not stop it).
`run` is carried out by the task runner that built this object, injected as a callable, because
only the runner knows how to find and execute a notebook.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from brickyard.local.dbutils.context import EntryPoint, NotebookContext

RunNotebook = Callable[[str, int, Mapping[str, str]], str]


class NotebookExit(BaseException):
    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(value)


class WorkflowException(Exception):
    """A notebook started with `dbutils.notebook.run` failed or timed out."""


class NotebookUtils:
    def __init__(self, run_notebook: RunNotebook, context: NotebookContext | None = None) -> None:
        self._run = run_notebook
        self.entry_point = EntryPoint(context or NotebookContext())
        """`entry_point.getDbutils().notebook().getContext()`: the workspace URL, a token, the path."""

    def exit(self, value: Any) -> None:
        raise NotebookExit(value if isinstance(value, str) else str(value))

    def run(self, path: str, timeout_seconds: int = 0, arguments: Mapping[str, Any] | None = None) -> str:
        args = {str(k): v if isinstance(v, str) else str(v) for k, v in (arguments or {}).items()}
        return self._run(path, int(timeout_seconds), args)

    def help(self, method: str = "") -> None:
        print("dbutils.notebook: exit, run")
