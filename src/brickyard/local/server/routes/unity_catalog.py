"""Unity Catalog API, catalogs and schemas (`/api/2.1/unity-catalog/catalogs|schemas…`).

Volumes, tables and grants are in `uc_volumes` and `uc_tables`. The objects are real: a schema is
created in the workspace catalog (every later task's session has it), and a catalog is added to the
embedded engine, which Sail allows only at start, so creating or deleting a catalog restarts the
engine and is refused while runs or pipeline updates are active (`runs.compute.reconfigure`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.engine import DEFAULT_CATALOGS
from brickyard.local.server.routes.deps import JsonBody, field, flag, services
from brickyard.local.server.services import Services
from brickyard.local.store import paging
from brickyard.local.store.unity import DEFAULT_SCHEMA, check_name, not_found, split_full_name

router = APIRouter(prefix="/api/2.1/unity-catalog", tags=["unity-catalog"])

_EDITABLE = ("comment", "properties", "owner")


# ---- catalogs ---------------------------------------------------------------------------------------


@router.post("/catalogs")
def create_catalog(request: Request, body: JsonBody = None) -> dict[str, Any]:
    ws = services(request)
    name = check_name(field(body, "name", str), "name")
    for unsupported in ("connection_name", "provider_name", "share_name"):
        if (body or {}).get(unsupported):
            raise ApiError.invalid(f"{unsupported}: foreign and shared catalogs need a Databricks workspace")
    if name in DEFAULT_CATALOGS or name in ws.unity.created_catalogs():
        raise ApiError.already_exists(f"Catalog '{name}' already exists.")
    _restart_engine(ws, [*ws.unity.created_catalogs(), name])
    return ws.unity.create_catalog(
        name, field(body, "comment", str, None), field(body, "properties", dict, {})
    )


@router.get("/catalogs")
def list_catalogs(
    request: Request, max_results: int | None = None, page_token: str | None = None
) -> dict[str, Any]:
    found, token = paging.page_list(services(request).unity.catalogs(), max_results, page_token)
    return {"catalogs": found, **({"next_page_token": token} if token else {})}


@router.get("/catalogs/{name}")
def get_catalog(request: Request, name: str) -> dict[str, Any]:
    return services(request).unity.get_catalog(name)


@router.patch("/catalogs/{name}")
def update_catalog(request: Request, name: str, body: JsonBody = None) -> dict[str, Any]:
    ws = services(request)
    if (body or {}).get("new_name") not in (None, name):
        raise ApiError.invalid("Renaming a catalog is not supported by the local workspace.")
    return ws.unity.update_catalog(name, {k: (body or {}).get(k) for k in _EDITABLE})


@router.delete("/catalogs/{name}")
def delete_catalog(request: Request, name: str, force: str | None = None) -> dict[str, Any]:
    ws = services(request)
    name = name.lower()
    ws.unity.get_catalog(name)
    if name in DEFAULT_CATALOGS:
        raise ApiError.invalid(f"Catalog '{name}' is built into the local workspace and cannot be deleted.")
    schemas = [s for s in ws.unity.schema_names(name) if s != DEFAULT_SCHEMA]
    if schemas and not flag(force):
        raise ApiError(
            400, "CATALOG_NOT_EMPTY", f"Catalog '{name}' is not empty: it has schema(s) {', '.join(schemas)}."
        )
    _restart_engine(ws, [c for c in ws.unity.created_catalogs() if c != name])
    for schema in [*schemas, DEFAULT_SCHEMA]:
        _drop_schema(ws, name, schema)
    ws.unity.delete_catalog(name)
    return {}


def _restart_engine(ws: Services, created: list[str]) -> None:
    def busy() -> str:
        runs, updates = ws.orchestrator.active_runs(), ws.pipeline_updates.running()
        parts = [f"{runs} job run(s)" if runs else "", f"{updates} pipeline update(s)" if updates else ""]
        return " and ".join(p for p in parts if p)

    ws.compute.reconfigure([*DEFAULT_CATALOGS, *created], busy)


# ---- schemas ----------------------------------------------------------------------------------------


@router.post("/schemas")
def create_schema(request: Request, body: JsonBody = None) -> dict[str, Any]:
    ws = services(request)
    fields = {
        "comment": field(body, "comment", str, None),
        "properties": field(body, "properties", dict, None),
        "storage_root": field(body, "storage_root", str, None),
    }
    return ws.unity.create_schema(field(body, "catalog_name", str), field(body, "name", str), fields)


@router.get("/schemas")
def list_schemas(
    request: Request,
    catalog_name: str | None = None,
    max_results: int | None = None,
    page_token: str | None = None,
) -> dict[str, Any]:
    ws = services(request)
    if not catalog_name:
        raise ApiError.invalid("catalog_name is required to list schemas")
    catalog = catalog_name.lower()
    ws.samples.ensure_for(catalog)
    docs = [ws.unity.find_schema(catalog, name) for name in ws.unity.schema_names(catalog)]
    found, token = paging.page_list([d for d in docs if d], max_results, page_token)
    return {"schemas": found, **({"next_page_token": token} if token else {})}


@router.get("/schemas/{full_name}")
def get_schema(request: Request, full_name: str) -> dict[str, Any]:
    ws = services(request)
    ws.samples.ensure_for(full_name.split(".")[0])
    return ws.unity.get_schema(full_name)


@router.patch("/schemas/{full_name}")
def update_schema(request: Request, full_name: str, body: JsonBody = None) -> dict[str, Any]:
    ws = services(request)
    doc = ws.unity.get_schema(full_name)
    if (body or {}).get("new_name") not in (None, doc["name"]):
        raise ApiError.invalid("Renaming a schema is not supported by the local workspace.")
    changes = {k: (body or {}).get(k) for k in _EDITABLE}
    if (body or {}).get("enable_predictive_optimization"):
        changes["enable_predictive_optimization"] = body["enable_predictive_optimization"]  # type: ignore[index]
    return ws.unity.update_schema(full_name, changes)


@router.delete("/schemas/{full_name}")
def delete_schema(request: Request, full_name: str, force: str | None = None) -> dict[str, Any]:
    ws = services(request)
    catalog, name = split_full_name(full_name, 2, "schema")
    if ws.unity.find_schema(catalog, name) is None:
        ws.unity.get_catalog(catalog)
        raise not_found("schema", f"{catalog}.{name}")
    if name == DEFAULT_SCHEMA:
        raise ApiError.invalid(f"The default schema of {catalog} cannot be deleted in the local workspace.")
    tables = [t.name for t in ws.catalog.tables(catalog, name)]
    volumes = [v["name"] for v in ws.volumes_uc.list(catalog, name)]
    if (tables or volumes) and not flag(force):
        content = ", ".join([*(f"table {t}" for t in tables), *(f"volume {v}" for v in volumes)])
        raise ApiError(
            400,
            "SCHEMA_NOT_EMPTY",
            f"Schema '{catalog}.{name}' is not empty ({content}); delete with force=true.",
        )
    _drop_schema(ws, catalog, name)
    return {}


def _drop_schema(ws: Services, catalog: str, name: str) -> None:
    from brickyard.local.server.routes.uc_tables import drop_table_data

    for table in ws.catalog.tables(catalog, name):
        drop_table_data(ws, table)
    if ws.unity.find_schema(catalog, name) is not None:
        for volume in ws.volumes_uc.list(catalog, name):
            ws.volumes_uc.delete(volume["full_name"])
    ws.unity.delete_schema(catalog, name)
