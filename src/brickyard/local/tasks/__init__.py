"""Task runners of the local workspace's workers, one module per task type.

`run_task` picks the runner from the task's settings. The task types a scheduler carries out
itself (run_job_task, condition_task, for_each_task, pipeline_task) and the ones that need a JVM
are refused here with a message that says why, so a misrouted task fails clearly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from brickyard.errors import TaskError

if TYPE_CHECKING:  # dbutils imports tasks.redact, and the context imports dbutils
    from brickyard.local.tasks.context import TaskContext

RUNNABLE = (
    "notebook_task",
    "spark_python_task",
    "python_wheel_task",
    "sql_task",
    "dbt_task",
    "dashboard_task",
)
_JVM = ("spark_jar_task", "spark_submit_task")
_SCHEDULER = ("run_job_task", "condition_task", "for_each_task", "pipeline_task", "clean_rooms_notebook_task")


def task_type(settings: dict[str, object]) -> str:
    """The task's type key; raises TaskError for a type a worker cannot run."""
    for key in RUNNABLE:
        if settings.get(key) is not None:
            if key == "sql_task":
                from brickyard.local.tasks.sql_task import check_sql_task

                check_sql_task(settings[key])  # type: ignore[arg-type]
            return key
    for key in _JVM:
        if settings.get(key) is not None:
            raise TaskError(
                f"{key} needs a JVM, which the local workspace does not have; "
                "run this job on a Databricks workspace, or make it a spark_python_task or python_wheel_task"
            )
    for key in _SCHEDULER:
        if settings.get(key) is not None:
            raise TaskError(f"{key} is carried out by the job scheduler, not by a task worker")
    found = sorted(k for k in settings if k.endswith("_task"))
    raise TaskError(f"unknown task type {found[0]}" if found else "the task has no *_task settings to run")


def run_task(ctx: TaskContext) -> str | None:
    """Run the task; the notebook exit value, if the task produced one."""
    from brickyard.local.sql.unity_sql import Api
    from brickyard.local.tasks.file_metadata import install_file_metadata, reads_file_metadata
    from brickyard.local.tasks.libraries import prepare_libraries
    from brickyard.local.tasks.spark_paths import install_path_translation
    from brickyard.local.tasks.sqlrewrite import install_sql_rewrite

    kind = task_type(ctx.settings)
    prepare_libraries(ctx)
    install_path_translation(ctx.locations)
    install_file_metadata(ctx, reads_file_metadata(ctx))
    install_sql_rewrite(ctx.locations, Api(ctx.request.host, ctx.request.token))
    return _runner(kind)(ctx)


def _runner(kind: str) -> Callable[[TaskContext], str | None]:
    if kind == "notebook_task":
        from brickyard.local.tasks.notebook import NotebookRunner

        return lambda ctx: NotebookRunner(ctx).run_task()
    if kind == "spark_python_task":
        from brickyard.local.tasks.python_file import run_python_file

        return _no_value(run_python_file)
    if kind == "python_wheel_task":
        from brickyard.local.tasks.wheel import run_wheel

        return _no_value(run_wheel)
    if kind == "sql_task":
        from brickyard.local.tasks.sql_task import run_sql_task

        return _no_value(run_sql_task)
    if kind == "dashboard_task":
        from brickyard.local.tasks.dashboard import run_dashboard

        return _no_value(run_dashboard)
    from brickyard.local.tasks.dbt import run_dbt

    return _no_value(run_dbt)


def _no_value(run: Callable[[TaskContext], None]) -> Callable[[TaskContext], str | None]:
    def wrapped(ctx: TaskContext) -> str | None:
        run(ctx)
        return None

    return wrapped
