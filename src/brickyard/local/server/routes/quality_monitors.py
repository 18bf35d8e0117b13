"""Lakehouse monitoring (`/api/2.1/unity-catalog/tables/{table}/monitor`): one monitor per table,
stored with its settings; no metrics are computed. The table's schema must exist; the table itself
is not required, since tables reach the local catalog only once a task writes them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, field, services
from brickyard.local.server.routes.stored import store
from brickyard.local.store.objects import ObjectStore

router = APIRouter(prefix="/api/2.1/unity-catalog/tables", tags=["unity catalog"])

_OUTPUT = {
    "table_name",
    "status",
    "monitor_version",
    "profile_metrics_table_name",
    "drift_metrics_table_name",
    "dashboard_id",
}


def monitors(request: Request) -> ObjectStore:
    return store(request, "quality_monitors", "Monitor")


@router.post("/{table_name}/monitor")
def create(request: Request, table_name: str, body: JsonBody = None) -> dict[str, Any]:
    parts = table_name.split(".")
    if len(parts) != 3 or not all(parts):
        raise ApiError.invalid(f"table_name must be catalog.schema.table; got {table_name!r}")
    services(request).unity.get_schema(f"{parts[0]}.{parts[1]}")
    fields = {k: v for k, v in (body or {}).items() if k not in _OUTPUT}
    field(fields, "assets_dir", str)
    output = field(fields, "output_schema_name", str)
    if not any(k in fields for k in ("inference_log", "snapshot", "time_series")):
        raise ApiError.invalid("a monitor needs one of inference_log, snapshot or time_series")
    doc = {
        **fields,
        "table_name": table_name,
        "status": "MONITOR_STATUS_ACTIVE",
        "monitor_version": 1,
        "profile_metrics_table_name": f"{output}.{parts[2]}_profile_metrics",
        "drift_metrics_table_name": f"{output}.{parts[2]}_drift_metrics",
    }
    return monitors(request).create(table_name.lower(), table_name, doc)


@router.get("/{table_name}/monitor")
def get(request: Request, table_name: str) -> dict[str, Any]:
    return monitors(request).get(table_name.lower())


@router.put("/{table_name}/monitor")
def update(request: Request, table_name: str, body: JsonBody = None) -> dict[str, Any]:
    store_ = monitors(request)
    doc = store_.get(table_name.lower())
    fields = {k: v for k, v in (body or {}).items() if k not in _OUTPUT and k != "assets_dir"}
    field(fields, "output_schema_name", str)
    kept = {k: doc[k] for k in (*_OUTPUT, "assets_dir", "warehouse_id") if k in doc}
    updated = {**fields, **kept, "monitor_version": int(doc["monitor_version"]) + 1}
    store_.put(table_name.lower(), updated)
    return updated


@router.delete("/{table_name}/monitor")
def delete(request: Request, table_name: str) -> dict[str, Any]:
    monitors(request).delete(table_name.lower())
    return {}
