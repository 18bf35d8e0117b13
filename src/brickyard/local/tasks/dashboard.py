"""dashboard_task: refresh an AI/BI dashboard, that is run the queries of its datasets.

On Databricks the task runs every dataset of the dashboard on the warehouse the task names (and
then sends its subscriptions). The local workspace renders nothing and sends nothing, so the task
reads the dashboard's definition through the workspace's API and runs each dataset's query on the
local engine, through the warehouses' SQL layer, with the defaults of its parameters: a query that
fails (a table missing, a typo) fails the task with the dataset named, as a refresh would. The log
says how many rows each dataset has. Subscriptions are skipped, and the log says so.
"""

from __future__ import annotations

import json
from typing import Any

from brickyard.errors import TaskError
from brickyard.local.apierror import ApiError
from brickyard.local.sql.unity_sql import Api
from brickyard.local.tasks.context import TaskContext


def run_dashboard(ctx: TaskContext) -> None:
    from brickyard.local.tasks.sql_task import run_statements

    settings = ctx.settings.get("dashboard_task") or {}
    dashboard_id = str(settings.get("dashboard_id") or "")
    if not dashboard_id:
        raise TaskError("dashboard_task needs dashboard_id")
    try:
        doc = Api(ctx.request.host, ctx.request.token).call(
            "GET", f"/api/2.0/lakeview/dashboards/{dashboard_id}"
        )
    except ApiError as answer:
        raise TaskError(f"dashboard {dashboard_id}: {answer.message}") from None
    try:
        definition = json.loads(doc.get("serialized_dashboard") or "{}")
    except ValueError as err:
        raise TaskError(f"dashboard {dashboard_id} has a definition that is not JSON: {err}") from None
    datasets = [d for d in definition.get("datasets") or [] if isinstance(d, dict)]
    print(
        f"Refreshing dashboard {doc.get('display_name') or dashboard_id}: {len(datasets)} dataset(s)",
        flush=True,
    )
    for dataset in datasets:
        name = str(dataset.get("displayName") or dataset.get("name") or "?")
        query = "".join(dataset.get("queryLines") or []) or str(dataset.get("query") or "")
        if not query.strip():
            continue
        try:
            result = run_statements(ctx.spark, query, _defaults(dataset))
        except Exception as exc:
            exc.add_note(f"in dataset {name!r} of dashboard {doc.get('display_name') or dashboard_id}")
            raise
        rows = result.num_rows if result is not None else 0
        print(f"  {name}: {rows} row(s)", flush=True)
    if (settings.get("subscription") or {}).get("subscribers"):
        print("The dashboard's subscribers get no snapshot from the local workspace.", flush=True)


def _defaults(dataset: dict[str, Any]) -> dict[str, str]:
    """The value each of the dataset's parameters (`:name` in its query) has by default."""
    values: dict[str, str] = {}
    for parameter in dataset.get("parameters") or []:
        if not isinstance(parameter, dict) or not parameter.get("keyword"):
            continue
        chosen = ((parameter.get("defaultSelection") or {}).get("values") or {}).get("values") or []
        if chosen and isinstance(chosen[0], dict) and "value" in chosen[0]:
            values[str(parameter["keyword"])] = str(chosen[0]["value"])
    return values
