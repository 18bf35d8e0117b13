"""sql_task: run a SQL file statement by statement on the local engine, as a SQL warehouse would.

On Databricks a SQL file task runs on the SQL warehouse its `warehouse_id` names; locally every
warehouse is the embedded engine, so the task's own session runs the file, through the same
Databricks SQL layer as the warehouses (`brickyard.local.sql.compat`: `SET`, `USE CATALOG`,
`IDENTIFIER(…)`, …). Parameters reach the file as `{{name}}` (replaced by the value as a quoted
string literal, as Databricks does: `USE IDENTIFIER({{schema}})`, `{{target}} = "prod"`), `${name}`
(legacy text) and `:name` markers bound as string literals, so `IDENTIFIER(:table)` names a table. Saved queries,
dashboards and alerts live in Databricks SQL, which the local workspace does not have, so those
fail with a message that says so.
"""

from __future__ import annotations

import re
from typing import Any

from brickyard.errors import TaskError
from brickyard.local.tasks.context import TaskContext
from brickyard.local.tasks.paths import require_workspace_source
from brickyard.local.tasks.runtime import display
from brickyard.local.tasks.sql import split_statements, substitute
from brickyard.local.tasks.sqlrewrite import literal

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
    # job parameters are pushed down to the task, as Databricks does; the task's own ones win
    values = {str(k): str(v) for k, v in (ctx.request.job_parameters or {}).items()}
    values.update({str(k): str(v) for k, v in (settings.get("parameters") or {}).items()})
    text = _MUSTACHE.sub(
        lambda m: literal(values[m.group(1)]) if m.group(1) in values else m.group(0),
        local.read_text(encoding="utf-8"),
    )
    result = run_statements(ctx.spark, substitute(text, values), values)
    if result is not None and result.num_columns:
        display(ctx.spark.createDataFrame(result))


def run_statements(spark: Any, text: str, values: dict[str, str]) -> Any:
    """Every statement of `text` through the warehouses' SQL layer; the last one's Arrow result."""
    from brickyard.local.sql import compat
    from brickyard.local.sql.params import Parameter, bind
    from brickyard.local.tasks.sqlrewrite import rewrite

    parameters = {name: Parameter(value) for name, value in values.items()}
    state = compat.SessionState(spark.catalog.currentCatalog(), spark.catalog.currentDatabase())
    statements = split_statements(text)
    result = None
    for index, statement in enumerate(statements, start=1):
        try:
            # constant IDENTIFIER(…) expressions folded first, then the warehouses' SQL layer
            result = compat.run(state, spark, rewrite(bind(statement, parameters), table_options=False))
        except Exception as exc:
            shown = statement if len(statement) <= 300 else statement[:300] + " …"
            exc.add_note(f"in SQL statement {index} of {len(statements)}:\n{shown}")
            raise
    return result
