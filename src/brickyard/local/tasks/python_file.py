"""spark_python_task: run a Python file as `__main__`, with the task's parameters as `sys.argv`.

The script may build its session with `SparkSession.builder.getOrCreate()` (which returns the
worker's session) and reach dbutils through `pyspark.dbutils` or `databricks.sdk.runtime`; and, as
scripts written for Databricks compute rely on, `spark` and `dbutils` are already defined in its
globals. It runs from its own folder, which is first on `sys.path`, so it can import the modules
deployed next to it.
"""

from __future__ import annotations

import os
import runpy
import sys

from brickyard.errors import TaskError
from brickyard.local.tasks.context import TaskContext
from brickyard.local.tasks.notebook import NotebookRunner
from brickyard.local.tasks.paths import require_workspace_source
from brickyard.local.tasks.runtime import install_runtime_modules


def run_python_file(ctx: TaskContext) -> None:
    settings = ctx.settings.get("spark_python_task") or {}
    require_workspace_source(settings, "spark_python_task")
    path = settings.get("python_file")
    if not path:
        raise TaskError("spark_python_task needs python_file")
    local = ctx.locations.existing(str(path), "python_file")
    parameters = [str(p) for p in settings.get("parameters") or []]
    runner = NotebookRunner(ctx)
    dbutils = ctx.dbutils(ctx.request.job_parameters, lambda p, t, a: runner.run_child(str(path), p, t, a))
    install_runtime_modules(ctx.spark, dbutils)
    os.chdir(local.parent)
    sys.path.insert(0, str(local.parent))
    sys.argv = [str(local), *parameters]
    runpy.run_path(str(local), init_globals={"spark": ctx.spark, "dbutils": dbutils}, run_name="__main__")
