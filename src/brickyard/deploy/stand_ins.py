"""`--local`: compute a target names by id that only its real workspace has.

A bundle written for a workspace may name an all-purpose cluster (`existing_cluster_id`) or a SQL
warehouse (`warehouse_id`) by the id they have there. The local workspace has neither, and cannot
create them under those ids; it runs every task on one engine anyway. So, deployed with
`--local`, a task whose cluster the local workspace does not have runs on its default compute
(the id is left out), and a warehouse it does not have is its own warehouse. Each replacement is
said once; ids the local workspace has (and `${resources…}` references) are kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

_WAREHOUSE_TASKS = ("sql_task", "dbt_task", "dashboard_task")


def local_compute(
    client: WorkspaceClient, resources: Mapping[str, dict[str, Any]]
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """`resources` (address → settings) with the ids the local workspace lacks replaced; and what
    was replaced, as sentences."""
    known: dict[tuple[str, str], bool] = {}
    warehouse: list[str] = []
    notes: list[str] = []

    def exists(kind: str, value: str) -> bool:
        if (kind, value) not in known:
            known[kind, value] = _exists(client, kind, value)
        return known[kind, value]

    def local_warehouse() -> str:
        if not warehouse:
            found = client.api_client.do("GET", "/api/2.0/sql/warehouses") or {}
            warehouse.append(str(((found.get("warehouses") or [{}])[0]).get("id") or ""))
        return warehouse[0]

    out: dict[str, dict[str, Any]] = {}
    for address, settings in resources.items():
        if not address.startswith("jobs."):
            out[address] = settings
            continue
        job = dict(settings)
        tasks: list[Any] = []
        for written in job.get("tasks") or []:
            if not isinstance(written, dict):
                tasks.append(written)
                continue
            task = dict(written)
            where = f"{address} task {task.get('task_key')}"
            cluster = task.get("existing_cluster_id")
            if isinstance(cluster, str) and _literal(cluster) and not exists("cluster", cluster):
                del task["existing_cluster_id"]
                notes.append(f"{where}: cluster {cluster} runs as the local default compute")
            for kind in _WAREHOUSE_TASKS:
                spec = task.get(kind)
                wanted = spec.get("warehouse_id") if isinstance(spec, dict) else None
                if not (isinstance(spec, dict) and isinstance(wanted, str) and _literal(wanted)):
                    continue
                if not exists("warehouse", wanted) and (stand_in := local_warehouse()):
                    task[kind] = {**spec, "warehouse_id": stand_in}
                    notes.append(f"{where}: warehouse {wanted} is the local warehouse")
            tasks.append(task)
        if tasks:
            job["tasks"] = tasks
        out[address] = job
    return out, notes


def _literal(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and "${" not in value


def _exists(client: WorkspaceClient, kind: str, value: str) -> bool:
    from databricks.sdk.errors import NotFound
    from databricks.sdk.errors.base import DatabricksError

    try:
        if kind == "cluster":
            client.api_client.do("GET", "/api/2.1/clusters/get", query={"cluster_id": value})
        else:
            client.api_client.do("GET", f"/api/2.0/sql/warehouses/{value}")
    except NotFound:
        return False
    except DatabricksError:  # an id the API refuses outright is not one it has either
        return False
    return True
