"""`lookup:` variables: ids found by name in the workspace when a deploy plans.

`variables: {shared: {lookup: {cluster: "Shared autoscaling"}}}` stays `${var.shared}` through
validate (offline); the plan asks the workspace for the cluster with that name and fills its id in,
as `databricks bundle` does. One list call per lookup; a name that matches nothing, or a kind the
workspace does not serve, stops the plan with the variable named.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from brickyard.errors import PlanError

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

# kind → (list path, list field, name field, id field)
_LISTS: dict[str, tuple[str, str, str, str]] = {
    "cluster": ("/api/2.1/clusters/list", "clusters", "cluster_name", "cluster_id"),
    "cluster_policy": ("/api/2.0/policies/clusters/list", "policies", "name", "policy_id"),
    "instance_pool": (
        "/api/2.0/instance-pools/list",
        "instance_pools",
        "instance_pool_name",
        "instance_pool_id",
    ),
    "job": ("/api/2.2/jobs/list", "jobs", "settings.name", "job_id"),
    "pipeline": ("/api/2.0/pipelines", "statuses", "name", "pipeline_id"),
    "warehouse": ("/api/2.0/sql/warehouses", "warehouses", "name", "id"),
    "metastore": ("/api/2.1/unity-catalog/metastores", "metastores", "name", "metastore_id"),
    "service_principal": (
        "/api/2.0/preview/scim/v2/ServicePrincipals",
        "Resources",
        "displayName",
        "applicationId",
    ),
    "query": ("/api/2.0/sql/queries", "results", "display_name", "id"),
    "alert": ("/api/2.0/sql/alerts", "results", "display_name", "id"),
    "dashboard": ("/api/2.0/lakeview/dashboards", "dashboards", "display_name", "dashboard_id"),
    "notification_destination": ("/api/2.0/notification-destinations", "results", "display_name", "id"),
}


def pending_lookups(variables: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """variable name → (kind, name) for every lookup variable the bundle left unresolved."""
    out = {}
    for name, definition in variables.items():
        lookup = definition.get("lookup") if isinstance(definition, dict) else None
        if isinstance(lookup, dict) and "value" not in definition and len(lookup) == 1:
            kind, wanted = next(iter(lookup.items()))
            out[name] = (str(kind), str(wanted))
    return out


def resolve_lookups(
    client: WorkspaceClient, lookups: Mapping[str, tuple[str, str]], stand_in: bool = False
) -> dict[str, str]:
    """Each lookup's id. With `stand_in` (a target meant for another workspace, deployed with
    `--local`), a warehouse the local workspace does not have by that name is its own warehouse:
    every SQL warehouse of a real workspace runs on the one local engine anyway."""
    return {
        variable: _find(client, variable, kind, wanted, stand_in and kind == "warehouse")
        for variable, (kind, wanted) in lookups.items()
    }


def fill_variables(value: Any, values: Mapping[str, str]) -> Any:
    """Replace `${var.<name>}` with the looked-up ids."""
    if isinstance(value, str):
        return re.sub(r"\$\{var\.([A-Za-z0-9_-]+)\}", lambda m: values.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {k: fill_variables(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_variables(v, values) for v in value]
    return value


def _find(client: WorkspaceClient, variable: str, kind: str, wanted: str, any_one: bool = False) -> str:
    from databricks.sdk.errors.base import DatabricksError

    if kind not in _LISTS:
        raise PlanError(f"variable {variable}: brickyard cannot look up a {kind}")
    path, field, name_field, id_field = _LISTS[kind]
    first = None
    try:
        for item in _pages(client, path, field):
            if _get(item, name_field) == wanted:
                return str(_get(item, id_field))
            first = first or item
    except DatabricksError as err:
        raise PlanError(f"variable {variable}: looking up {kind} {wanted!r} failed: {err}") from None
    if any_one and first is not None:
        return str(_get(first, id_field))
    raise PlanError(
        f"variable {variable}: the workspace has no {kind.replace('_', ' ')} named {wanted!r}; "
        f"create it, or give the id with --var {variable}=<id>"
    )


def _pages(client: WorkspaceClient, path: str, field: str) -> Iterator[dict[str, Any]]:
    query: dict[str, Any] = {}
    while True:
        page = client.api_client.do("GET", path, query=query) or {}
        yield from page.get(field) or []
        token = page.get("next_page_token")
        if not token:
            return
        query = {"page_token": token}


def _get(item: dict[str, Any], dotted: str) -> Any:
    value: Any = item
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value
