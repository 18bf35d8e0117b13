"""notebook_task: run a notebook cell by cell, with the globals and magics of a Databricks notebook.

Python cells share one module namespace (`__main__`, so classes and UDFs defined in a notebook
pickle as they do on Databricks). `%run ./other` executes another notebook in that same namespace;
`dbutils.notebook.run` executes one in a fresh namespace with its own widgets and returns its exit
value. `dbutils.notebook.exit` ends the notebook at once with its value.
"""

from __future__ import annotations

import os
import posixpath
import sys
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from brickyard import notebook_format as nbf
from brickyard.errors import NotebookFormatError, TaskError
from brickyard.local.dbutils import DBUtils, NotebookExit, WorkflowException
from brickyard.local.tasks import magics
from brickyard.local.tasks.context import TaskContext
from brickyard.local.tasks.libraries import add_packages, add_wheels
from brickyard.local.tasks.paths import join_workspace, require_workspace_source
from brickyard.local.tasks.pycode import cell_filename, one_line, run_cell
from brickyard.local.tasks.runtime import display, install_runtime_modules, notebook_globals
from brickyard.local.tasks.sql import run_sql

_UNAVAILABLE = {
    "scala": "Scala cells need a JVM, which the local workspace does not have",
    "r": "R cells are not supported on the local workspace",
}
_NO_OP = {"md", "markdown", "restart_python"}


class NotebookTimedOut(BaseException):
    pass


class NotebookRunner:
    def __init__(self, ctx: TaskContext) -> None:
        self.ctx = ctx

    def run_task(self) -> str | None:
        settings = self.ctx.settings.get("notebook_task") or {}
        require_workspace_source(settings, "notebook_task")
        path = settings.get("notebook_path")
        if not path:
            raise TaskError("notebook_task needs notebook_path")
        parameters = {
            **_strings(settings.get("base_parameters")),
            **_strings(self.ctx.request.job_parameters),
        }
        local = self.ctx.locations.existing(path, "notebook")
        os.chdir(local.parent)
        sys.path.insert(0, str(local.parent))
        return self.run(path, parameters, top=True)

    def run(self, path: str, parameters: Mapping[str, str], top: bool = False) -> str | None:
        """Run the notebook at workspace `path` in a fresh namespace; its exit value, if any."""
        notebook = self.load(path)
        dbutils = self.ctx.dbutils(parameters, lambda p, t, a: self.run_child(path, p, t, a))
        module = types.ModuleType("__main__")
        module.__dict__.update(notebook_globals(self.ctx.spark, dbutils))
        if top:
            install_runtime_modules(self.ctx.spark, dbutils)
        with _as_main(module):
            try:
                self.execute(notebook, path, module.__dict__, dbutils)
            except NotebookExit as done:
                return done.value
        return None

    def load(self, path: str) -> nbf.Notebook:
        local = self.ctx.locations.existing(path, "notebook")
        data = local.read_bytes()
        try:
            if nbf.is_ipynb(data):
                text, language = nbf.ipynb_to_source(data)
            else:
                text = data.decode("utf-8")
                language = nbf.detect_language(text, local.name) or nbf.PYTHON
            return nbf.parse_source(text, language)
        except (NotebookFormatError, UnicodeDecodeError) as exc:
            raise TaskError(f"notebook {path} cannot be read: {exc}") from exc

    def execute(self, notebook: nbf.Notebook, path: str, namespace: dict[str, Any], dbutils: DBUtils) -> None:
        for index, cell in enumerate(notebook.cells, start=1):
            magic = cell.magic or notebook.language.lower()
            try:
                self._cell(magic, cell, path, index, namespace, dbutils)
            except TaskError as exc:
                raise TaskError(f"{cell_filename(path, index)}: {exc}") from exc

    def _cell(
        self, magic: str, cell: nbf.Cell, path: str, index: int, namespace: dict[str, Any], dbutils: DBUtils
    ) -> None:
        body = cell.body
        if magic in _NO_OP:
            return
        if magic == "python":
            run_cell(body, cell_filename(path, index), namespace, show=_show_value)
        elif magic == "sql":
            namespace["_sqldf"] = run_sql(
                self.ctx.spark, body, dbutils.widgets.getAll(), show=display, widgets=dbutils.widgets
            )
        elif magic == "run":
            target, args = magics.parse_run(body)
            child = join_workspace(posixpath.dirname(path), target)
            with dbutils.widgets.bound(args):
                self.execute(self.load(child), child, namespace, dbutils)
        elif magic == "pip":
            magics.pip(
                body,
                self.ctx.locations.any,
                lambda wheels: add_wheels(self.ctx.cache_root, wheels),
                lambda packages: add_packages(self.ctx.cache_root, packages),
            )
        elif magic == "sh":
            magics.sh(body, Path.cwd())
        elif magic == "fs":
            magics.fs(body, dbutils, display)
        elif magic in _UNAVAILABLE:
            raise TaskError(_UNAVAILABLE[magic])
        else:
            raise TaskError(f"%{magic} is not a notebook magic the local workspace knows")

    def run_child(self, parent: str, path: str, timeout: int, arguments: Mapping[str, str]) -> str:
        """`dbutils.notebook.run`: failures reach the caller as a WorkflowException, as on Databricks."""
        child = join_workspace(posixpath.dirname(parent), path)
        try:
            with self.ctx.deadlines.limit(timeout, NotebookTimedOut):
                value = self.run(child, arguments)
        except NotebookTimedOut:
            raise WorkflowException(f"Notebook {child} timed out after {timeout} seconds") from None
        except Exception as exc:
            raise WorkflowException(f"Notebook {child} failed: {one_line(exc)}") from exc
        return value if value is not None else ""


def _show_value(value: Any) -> None:
    if hasattr(value, "schema") and hasattr(value, "show"):
        print(
            f"DataFrame[{', '.join(f'{f.name}: {f.dataType.simpleString()}' for f in value.schema.fields)}]"
        )
    else:
        print(repr(value))


def _strings(values: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(k): v if isinstance(v, str) else str(v) for k, v in (values or {}).items()}


@contextmanager
def _as_main(module: types.ModuleType) -> Iterator[None]:
    saved = sys.modules.get("__main__")
    sys.modules["__main__"] = module
    try:
        yield
    finally:
        if saved is not None:
            sys.modules["__main__"] = saved
