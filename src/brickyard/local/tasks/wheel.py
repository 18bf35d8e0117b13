"""python_wheel_task: call a wheel's entry point, with the task's parameters as `sys.argv`.

The wheel comes from the task's `libraries` (installed by `libraries.prepare_libraries`) or is
already installed. As on Databricks, `entry_point` is looked up in the package's metadata first
and, if no entry point has that name, called as `package_name.entry_point()`.
`named_parameters` become `--name=value` arguments.
"""

from __future__ import annotations

import importlib
import importlib.metadata as metadata
import sys
from collections.abc import Callable
from typing import Any

from brickyard.errors import TaskError
from brickyard.local.tasks.context import TaskContext
from brickyard.local.tasks.notebook import NotebookRunner
from brickyard.local.tasks.runtime import install_runtime_modules


def run_wheel(ctx: TaskContext) -> None:
    settings = ctx.settings.get("python_wheel_task") or {}
    package = str(settings.get("package_name") or "")
    entry = str(settings.get("entry_point") or "")
    if not package or not entry:
        raise TaskError("python_wheel_task needs package_name and entry_point")
    runner = NotebookRunner(ctx)
    dbutils = ctx.dbutils(ctx.request.job_parameters, lambda p, t, a: runner.run_child("/", p, t, a))
    # Before the package is imported: its modules may take `spark` from databricks.sdk.runtime.
    install_runtime_modules(ctx.spark, dbutils)
    function = _entry_point(package, entry)
    named = settings.get("named_parameters") or {}
    arguments = [f"--{k}={v}" for k, v in named.items()] if named else settings.get("parameters") or []
    sys.argv = [package, *map(str, arguments)]
    function()


def _entry_point(package: str, name: str) -> Callable[[], Any]:
    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        points = sorted(dist.entry_points, key=lambda ep: ep.group != "console_scripts")
        for point in points:
            if point.name == name:
                loaded: Callable[[], Any] = point.load()
                return loaded
    module_name = package.replace("-", "_")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        where = (
            "is not installed" if dist is None else f"has no entry point {name} and no module {module_name}"
        )
        raise TaskError(
            f"package {package} {where}; list its wheel in the task's libraries (whl: /Workspace/…/x.whl)"
        ) from exc
    function = getattr(module, name, None)
    if not callable(function):
        raise TaskError(
            f"package {package} has no entry point {name}, and {module_name}.{name} is not a function"
        )
    return function  # type: ignore[no-any-return]
