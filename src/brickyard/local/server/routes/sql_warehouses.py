"""SQL Warehouses API (`/api/2.0/sql/warehouses`): create, get, edit, delete, list, start, stop.

A warehouse here is its settings and a state that changes at once (RUNNING after create, edit and
start; STOPPED after stop), so the SDK's waiters return immediately. Running statements on it is
the SQL execution modules' business, not this one's.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody
from brickyard.local.server.routes.stored import hex_id, store, user
from brickyard.local.store.objects import ObjectStore

router = APIRouter(prefix="/api/2.0/sql/warehouses", tags=["sql warehouses"])

_SETTINGS = (
    "name",
    "cluster_size",
    "min_num_clusters",
    "max_num_clusters",
    "auto_stop_mins",
    "enable_photon",
    "enable_serverless_compute",
    "warehouse_type",
    "spot_instance_policy",
    "channel",
    "tags",
    "instance_profile_arn",
    "creator_name",
)
_TYPES = ("CLASSIC", "PRO", "TYPE_UNSPECIFIED")


def warehouses(request: Request) -> ObjectStore:
    return store(request, "sql_warehouses", "SQL warehouse")


@router.post("")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    settings = _settings(body)
    if not settings.get("name"):
        raise ApiError.invalid("Missing required field: name")
    warehouse_id = hex_id()
    doc = {
        "id": warehouse_id,
        "cluster_size": "2X-Small",
        "min_num_clusters": 1,
        "max_num_clusters": 1,
        "auto_stop_mins": 120,
        "enable_photon": True,
        "warehouse_type": "CLASSIC",
        "spot_instance_policy": "COST_OPTIMIZED",
        "creator_name": user(request),
        **settings,
        **_status(request, warehouse_id, "RUNNING"),
    }
    warehouses(request).create(warehouse_id, str(settings["name"]), doc, unique_name=True)
    return {"id": warehouse_id}


@router.get("")
def list_(request: Request, page_size: int | None = None, page_token: str | None = None) -> dict[str, Any]:
    found, token = warehouses(request).page(page_size, page_token)
    return {"warehouses": found, **({"next_page_token": token} if token else {})}


@router.get("/{warehouse_id}")
def get(request: Request, warehouse_id: str) -> dict[str, Any]:
    return warehouses(request).get(warehouse_id)


@router.post("/{warehouse_id}/edit")
def edit(request: Request, warehouse_id: str, body: JsonBody = None) -> dict[str, Any]:
    store_ = warehouses(request)
    current = store_.get(warehouse_id)
    settings = _settings(body)
    name = str(settings.get("name") or current["name"])
    other = store_.named(name)
    if other is not None and other["id"] != warehouse_id:
        raise ApiError.already_exists(f"SQL warehouse {name} already exists")
    doc = {**current, **settings, **_status(request, warehouse_id, "RUNNING")}
    store_.put(warehouse_id, doc, name=name)
    return {}


@router.delete("/{warehouse_id}")
def delete(request: Request, warehouse_id: str) -> dict[str, Any]:
    warehouses(request).delete(warehouse_id)
    return {}


@router.post("/{warehouse_id}/start")
def start(request: Request, warehouse_id: str) -> dict[str, Any]:
    return _set_state(request, warehouse_id, "RUNNING")


@router.post("/{warehouse_id}/stop")
def stop(request: Request, warehouse_id: str) -> dict[str, Any]:
    return _set_state(request, warehouse_id, "STOPPED")


def _set_state(request: Request, warehouse_id: str, state: str) -> dict[str, Any]:
    store_ = warehouses(request)
    doc = store_.get(warehouse_id)
    store_.put(warehouse_id, {**doc, **_status(request, warehouse_id, state)})
    return {}


def _settings(body: dict[str, Any] | None) -> dict[str, Any]:
    settings = {k: v for k, v in (body or {}).items() if k in _SETTINGS}
    low, high = settings.get("min_num_clusters", 1), settings.get("max_num_clusters", 1)
    if not isinstance(low, int) or not isinstance(high, int) or low < 1 or high < low:
        raise ApiError.invalid("min_num_clusters must be at least 1 and at most max_num_clusters")
    stop_after = settings.get("auto_stop_mins", 0)
    if not isinstance(stop_after, int) or (stop_after and stop_after < 10):
        raise ApiError.invalid("auto_stop_mins must be 0 (never) or at least 10")
    if settings.get("warehouse_type", "CLASSIC") not in _TYPES:
        raise ApiError.invalid(f"warehouse_type must be one of {', '.join(_TYPES)}")
    return settings


def _status(request: Request, warehouse_id: str, state: str) -> dict[str, Any]:
    host = request.url.hostname or "127.0.0.1"
    port = request.url.port or 443
    path = f"/sql/1.0/warehouses/{warehouse_id}"
    running = state == "RUNNING"
    return {
        "state": state,
        "num_clusters": 1 if running else 0,
        "num_active_sessions": 0,
        "health": {"status": "HEALTHY"} if running else {},
        "odbc_params": {"hostname": host, "port": port, "path": path, "protocol": "https"},
        "jdbc_url": f"jdbc:databricks://{host}:{port}/default;transportMode=http;ssl=1;httpPath={path}",
    }
