"""dbt-databricks against a SQL warehouse of the target's workspace, with the target's credentials.

The warehouse is the one named on the command line, else the one the project's `dbt_task` names,
else the workspace's only (or first running) warehouse. The token is whatever the SDK's auth chain
produced for the target (a PAT, an OAuth token of a service principal, an Azure AD token): it goes
to dbt through the environment, never into a file or the output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from brickyard.dbt.profiles import databricks_output
from brickyard.dbt.project import DbtProject
from brickyard.errors import DbtError

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

ADAPTER_PACKAGE = "dbt-databricks"


def require_adapter() -> None:
    try:
        import dbt.adapters.databricks  # noqa: F401
    except ImportError as err:
        raise DbtError(
            f"dbt on a Databricks workspace needs the {ADAPTER_PACKAGE} adapter, which is not installed: "
            f"pip install {ADAPTER_PACKAGE}"
        ) from err


def warehouse_output(
    client: WorkspaceClient, project: DbtProject, warehouse_id: str | None
) -> tuple[dict[str, Any], str]:
    """The profile output for the project on the workspace, and the token it reads from the environment."""
    chosen = warehouse_id or project.warehouse_id or _default_warehouse(client)
    warehouse = client.warehouses.get(chosen)
    http_path = (
        warehouse.odbc_params.path if warehouse.odbc_params else None
    ) or f"/sql/1.0/warehouses/{chosen}"
    output = databricks_output(
        str(client.config.host), http_path, project.catalog, project.schema or "default"
    )
    return output, _token(client)


def _default_warehouse(client: WorkspaceClient) -> str:
    warehouses = list(client.warehouses.list())
    if not warehouses:
        raise DbtError("the workspace has no SQL warehouse for dbt; create one, or pass --warehouse ID")
    running = [w for w in warehouses if str(getattr(w.state, "value", w.state)) == "RUNNING"]
    return str((running or warehouses)[0].id)


def _token(client: WorkspaceClient) -> str:
    headers = client.config.authenticate()
    value = headers.get("Authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise DbtError(
            "the target's authentication gives no bearer token for dbt-databricks; use a personal access "
            "token or an OAuth service principal"
        )
    return token
