"""Unity Catalog API, tables and grants (`/api/2.1/unity-catalog/tables…`, `/permissions…`).

Tables are the workspace catalog's (`store.catalog`): whatever tasks, SQL and pipelines created,
with the columns read from the table's Delta log. A pipeline's dataset says which pipeline made it
and whether it is a materialized view or a streaming table, from the pipeline's event log. Grants
are stored per securable and principal and answered, never enforced.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, field, services
from brickyard.local.server.services import Services
from brickyard.local.store import paging
from brickyard.local.store.catalog import CatalogChanges, TableEntry
from brickyard.local.store.unity import SECURABLES, not_found, split_full_name

router = APIRouter(prefix="/api/2.1/unity-catalog", tags=["unity-catalog"])

PRIVILEGES = frozenset(
    {
        "ALL_PRIVILEGES",
        "APPLY_TAG",
        "BROWSE",
        "CREATE_EXTERNAL_VOLUME",
        "CREATE_FUNCTION",
        "CREATE_MATERIALIZED_VIEW",
        "CREATE_MODEL",
        "CREATE_SCHEMA",
        "CREATE_TABLE",
        "CREATE_VIEW",
        "CREATE_VOLUME",
        "EXECUTE",
        "EXTERNAL_USE_SCHEMA",
        "MANAGE",
        "MODIFY",
        "READ_VOLUME",
        "REFRESH",
        "SELECT",
        "USE_CATALOG",
        "USE_SCHEMA",
        "WRITE_VOLUME",
    }
)
_TYPE_NAMES = {"long": "LONG", "integer": "INT", "short": "SHORT", "byte": "BYTE", "float": "FLOAT"}


# ---- tables -----------------------------------------------------------------------------------------


@router.get("/tables")
def list_tables(
    request: Request,
    catalog_name: str | None = None,
    schema_name: str | None = None,
    max_results: int | None = None,
    page_token: str | None = None,
    omit_columns: str | None = None,
) -> dict[str, Any]:
    ws = services(request)
    if not catalog_name or not schema_name:
        raise ApiError.invalid("catalog_name and schema_name are required to list tables")
    ws.samples.ensure_for(catalog_name)
    schema = ws.unity.get_schema(f"{catalog_name}.{schema_name}")
    entries = ws.catalog.tables(schema["catalog_name"], schema["name"])
    page, token = paging.page_list(entries, max_results, page_token)
    columns = str(omit_columns).lower() != "true"
    return {
        "tables": [table_doc(ws, e, columns) for e in page],
        **({"next_page_token": token} if token else {}),
    }


@router.post("/tables")
def create_table(request: Request, body: JsonBody = None) -> dict[str, Any]:
    """Register a Delta table whose data already sits in the workspace's home (a restore, a copy)."""
    ws = services(request)
    catalog, schema = field(body, "catalog_name", str), field(body, "schema_name", str)
    name = field(body, "name", str)
    split_full_name(f"{catalog}.{schema}.{name}", 3, "table")
    table_type = field(body, "table_type", str, "EXTERNAL").upper()
    if table_type not in ("MANAGED", "EXTERNAL"):
        raise ApiError.invalid(f"table_type must be MANAGED or EXTERNAL; got {table_type}")
    if field(body, "data_source_format", str, "DELTA").upper() != "DELTA":
        raise ApiError.invalid("only DELTA tables can be registered in the local workspace")
    location = field(body, "storage_location", str)
    path = local_path(location)
    home = ws.home.root.resolve()
    if path is None or not path.resolve().is_relative_to(home):
        raise ApiError.invalid(f"storage_location must be a folder inside the local workspace ({home})")
    if not (path / "_delta_log").is_dir():
        raise ApiError.invalid(f"no Delta table at {location}")
    ws.unity.get_schema(f"{catalog}.{schema}")
    if ws.catalog.table(catalog, schema, name) is not None:
        raise ApiError(409, "TABLE_ALREADY_EXISTS", f"Table '{catalog}.{schema}.{name}' already exists")
    entry = TableEntry(catalog, schema, name, table_type, "delta", str(path.resolve()))
    ws.catalog.apply(CatalogChanges([], [], [entry], []))
    return table_doc(ws, entry, columns=True)


@router.get("/tables/{full_name}")
def get_table(request: Request, full_name: str) -> dict[str, Any]:
    ws = services(request)
    return table_doc(ws, _table(ws, full_name), columns=True)


@router.get("/tables/{full_name}/exists")
def table_exists(request: Request, full_name: str) -> dict[str, Any]:
    catalog, schema, name = split_full_name(full_name, 3, "table")
    return {"table_exists": services(request).catalog.table(catalog, schema, name) is not None}


@router.delete("/tables/{full_name}")
def delete_table(request: Request, full_name: str) -> dict[str, Any]:
    ws = services(request)
    entry = _table(ws, full_name)
    drop_table_data(ws, entry)
    ws.catalog.apply(CatalogChanges([], [], [], [entry.key]))
    return {}


def _table(ws: Services, full_name: str) -> TableEntry:
    catalog, schema, name = split_full_name(full_name, 3, "table")
    ws.samples.ensure_for(catalog)
    entry = ws.catalog.table(catalog, schema, name)
    if entry is None:
        raise not_found("table", f"{catalog}.{schema}.{name}")
    return entry


def drop_table_data(ws: Services, entry: TableEntry) -> None:
    """A managed table's data goes with it (it lives in the warehouse); other tables keep theirs."""
    ws.unity.drop_grants("table", ".".join(entry.key))
    path = local_path(entry.location)
    warehouse = ws.home.warehouse.resolve()
    if entry.kind == "MANAGED" and path is not None and path.resolve().is_relative_to(warehouse):
        shutil.rmtree(path, ignore_errors=True)


def table_doc(ws: Services, entry: TableEntry, columns: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": entry.name,
        "catalog_name": entry.catalog,
        "schema_name": entry.schema,
        "full_name": ".".join(entry.key),
        "table_type": entry.kind,
        "owner": ws.user,
        "metastore_id": ws.unity.metastore_id,
    }
    if entry.kind == "VIEW":
        doc["view_definition"] = entry.view_text
        return doc
    doc["data_source_format"] = (entry.provider or "delta").upper()
    if entry.location:
        doc["storage_location"] = entry.location
    _pipeline_origin(ws, entry, doc)
    path = local_path(entry.location)
    if columns and path is not None:
        found = _delta_columns(path)
        if found:
            doc["columns"] = found
    return doc


def _pipeline_origin(ws: Services, entry: TableEntry, doc: dict[str, Any]) -> None:
    from brickyard.local.runs.pipeline_spec import pipeline_storage

    path = local_path(entry.location)
    if path is None:
        return
    for record in ws.pipelines.page(None, None, False, 0, 10_000)[0]:
        if not path.resolve().is_relative_to(pipeline_storage(ws.home, record).resolve()):
            continue
        doc["pipeline_id"] = record.pipeline_id
        doc["table_type"] = "MATERIALIZED_VIEW"
        found, _ = ws.pipeline_events.page(
            record.pipeline_id, ("event_type = ?", ["dataset_definition"]), False, 0, 1000
        )
        full = [entry.catalog, entry.schema, entry.name]
        for event in found:
            # a dataset is named as its code names it: `t`, `schema.t` or `catalog.schema.t`
            named = (event.get("origin") or {}).get("dataset_name", "").lower().replace("`", "").split(".")
            if named == full[-len(named) :]:
                kind = event["details"]["dataset_definition"].get("dataset_type")
                doc["table_type"] = (
                    kind if kind in ("STREAMING_TABLE", "MATERIALIZED_VIEW") else doc["table_type"]
                )
                break
        return


def _delta_columns(path: Path) -> list[dict[str, Any]]:
    from brickyard.pipelines import deltalog

    version = deltalog.latest_version(path)
    while version is not None and version >= 0:
        for action in deltalog.read_commit(path, version):
            if "metaData" in action:
                fields = json.loads(action["metaData"]["schemaString"]).get("fields", [])
                return [_column(index, f) for index, f in enumerate(fields)]
        version -= 1
    return []


def _column(position: int, spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec.get("type")
    text = kind if isinstance(kind, str) else str((kind or {}).get("type", "struct"))
    name = _TYPE_NAMES.get(text, text.split("(")[0].upper())
    return {
        "name": spec.get("name"),
        "type_text": text,
        "type_name": name,
        "type_json": json.dumps(spec),
        "position": position,
        "nullable": bool(spec.get("nullable", True)),
    }


def local_path(location: str | None) -> Path | None:
    if not location:
        return None
    parsed = urlparse(location)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    return Path(location) if location.startswith("/") else None


# ---- grants -----------------------------------------------------------------------------------------


@router.get("/permissions/{securable_type}/{full_name}")
def get_grants(
    request: Request, securable_type: str, full_name: str, principal: str | None = None
) -> dict[str, Any]:
    ws = services(request)
    securable, name = _securable(ws, securable_type, full_name)
    return {"privilege_assignments": ws.unity.grants(securable, name, principal)}


@router.patch("/permissions/{securable_type}/{full_name}")
def update_grants(
    request: Request, securable_type: str, full_name: str, body: JsonBody = None
) -> dict[str, Any]:
    ws = services(request)
    securable, name = _securable(ws, securable_type, full_name)
    changes = field(body, "changes", list, [])
    for change in changes:
        if (
            not isinstance(change, dict)
            or not isinstance(change.get("principal"), str)
            or not change["principal"]
        ):
            raise ApiError.invalid("every change names a principal")
        for privilege in [*(change.get("add") or []), *(change.get("remove") or [])]:
            if str(privilege).upper() not in PRIVILEGES:
                raise ApiError.invalid(f"Privilege {privilege} is not valid for {securable}.")
        change["add"] = [str(p).upper() for p in change.get("add") or []]
        change["remove"] = [str(p).upper() for p in change.get("remove") or []]
    ws.unity.change_grants(securable, name, changes)
    return {"privilege_assignments": ws.unity.grants(securable, name)}


@router.get("/effective-permissions/{securable_type}/{full_name}")
def effective_grants(
    request: Request, securable_type: str, full_name: str, principal: str | None = None
) -> dict[str, Any]:
    """Direct grants and those inherited from the parent catalog and schema."""
    ws = services(request)
    securable, name = _securable(ws, securable_type, full_name)
    parts = name.split(".")
    chain = [("catalog", parts[0]), ("schema", ".".join(parts[:2])), (securable, name)][: len(parts)]
    chain[-1] = (securable, name)
    assignments: dict[str, list[dict[str, Any]]] = {}
    for kind, owner in chain:
        for grant in ws.unity.grants(kind, owner, principal):
            for privilege in grant["privileges"]:
                entry: dict[str, Any] = {"privilege": privilege}
                if (kind, owner) != (securable, name):
                    entry.update(inherited_from_type=kind.upper(), inherited_from_name=owner)
                assignments.setdefault(grant["principal"], []).append(entry)
    return {
        "privilege_assignments": [{"principal": p, "privileges": v} for p, v in sorted(assignments.items())]
    }


def _securable(ws: Services, securable_type: str, full_name: str) -> tuple[str, str]:
    securable = securable_type.lower()
    if securable not in SECURABLES:
        raise ApiError.invalid(
            f"Grants on {securable_type} are not supported by the local workspace; use {', '.join(SECURABLES)}."
        )
    if securable == "catalog":
        return securable, str(ws.unity.get_catalog(full_name)["name"])
    if securable == "schema":
        return securable, str(ws.unity.get_schema(full_name)["full_name"])
    if securable == "volume":
        return securable, str(ws.volumes_uc.get(full_name)["full_name"])
    if securable == "function":  # registered models are granted on as functions
        return securable, str(
            ws.objects.of("registered_models", "Registered model").get(full_name.lower())["full_name"]
        )
    return securable, ".".join(_table(ws, full_name).key)
