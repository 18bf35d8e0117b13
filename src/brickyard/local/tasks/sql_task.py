"""sql_task: run a SQL file statement by statement on the local engine.

A SQL file task runs on a SQL warehouse on Databricks; locally, the engine is the warehouse.
Parameters reach the file as `:name` markers, `${name}` and `{{name}}`. Saved queries, dashboards
and alerts live in Databricks SQL, which the local workspace does not have, so those fail with a
message that says so.
"""

from __future__ import annotations

import re
from typing import Any

from brickyard.errors import TaskError
from brickyard.local.tasks.context import TaskContext
from brickyard.local.tasks.paths import require_workspace_source
from brickyard.local.tasks.runtime import display
from brickyard.local.tasks.sql import run_sql

_MUSTACHE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")


def check_sql_task(settings: dict[str, Any]) -> None:
    """Refuse what cannot run locally before a session is opened for it."""
    for kind in ("query", "dashboard", "alert"):
        if settings.get(kind):
            raise TaskError(
                f"sql_task with a {kind} needs Databricks SQL, which the local workspace does not have; "
                "use a SQL file (sql_task.file) instead"
            )
    file = settings.get("file") or {}
    if not file.get("path"):
        raise TaskError("sql_task needs file.path (queries, dashboards and alerts are not available locally)")
    require_workspace_source(file, "sql_task.file")


def run_sql_task(ctx: TaskContext) -> None:
    settings = ctx.settings.get("sql_task") or {}
    check_sql_task(settings)
    file = settings["file"]
    local = ctx.locations.existing(str(file["path"]), "SQL file")
    values = {str(k): str(v) for k, v in (settings.get("parameters") or {}).items()}
    text = _MUSTACHE.sub(lambda m: values.get(m.group(1), m.group(0)), local.read_text(encoding="utf-8"))
    run_sql(ctx.spark, text, values, show=display)
