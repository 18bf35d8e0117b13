"""AI/BI dashboards (Lakeview API, `/api/2.0/lakeview/dashboards`): drafts, trash, publishing.

A dashboard here is its definition and metadata; nothing renders it. Trashing keeps it (state
TRASHED) as the workspace does, and listing leaves trashed ones out unless asked.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, flag
from brickyard.local.server.routes.stored import hex_id, now_iso, store, user
from brickyard.local.store.objects import ObjectStore

router = APIRouter(prefix="/api/2.0/lakeview/dashboards", tags=["dashboards"])

_EDITABLE = ("display_name", "warehouse_id", "serialized_dashboard")
_BASIC = (
    "dashboard_id",
    "display_name",
    "path",
    "parent_path",
    "warehouse_id",
    "create_time",
    "update_time",
    "etag",
    "lifecycle_state",
)


def dashboards(request: Request) -> ObjectStore:
    return store(request, "dashboards", "Dashboard")


def published(request: Request) -> ObjectStore:
    return store(request, "dashboards.published", "Published dashboard")


@router.post("")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    fields = body or {}
    name = fields.get("display_name")
    if not isinstance(name, str) or not name:
        raise ApiError.invalid("Missing required field: display_name")
    parent = str(fields.get("parent_path") or f"/Users/{user(request)}").rstrip("/")
    dashboard_id = hex_id(32)
    now = now_iso()
    doc = {
        **{k: fields[k] for k in _EDITABLE if k in fields},
        "dashboard_id": dashboard_id,
        "parent_path": parent,
        "path": f"{parent}/{name}.lvdash.json",
        "create_time": now,
        "update_time": now,
        "etag": "1",
        "lifecycle_state": "ACTIVE",
    }
    return dashboards(request).create(dashboard_id, name, doc)


@router.get("")
def list_(
    request: Request,
    page_size: int | None = None,
    page_token: str | None = None,
    show_trashed: str | None = None,
) -> dict[str, Any]:
    everything = [
        d for d in dashboards(request).all() if flag(show_trashed) or d["lifecycle_state"] == "ACTIVE"
    ]
    from brickyard.local.store import paging

    page, token = paging.page_list(everything, page_size or 1000, page_token)
    basic = [{k: d[k] for k in _BASIC if k in d} for d in page]
    return {"dashboards": basic, **({"next_page_token": token} if token else {})}


@router.get("/{dashboard_id}")
def get(request: Request, dashboard_id: str) -> dict[str, Any]:
    return dashboards(request).get(dashboard_id)


@router.patch("/{dashboard_id}")
def update(request: Request, dashboard_id: str, body: JsonBody = None) -> dict[str, Any]:
    store_ = dashboards(request)
    doc = store_.get(dashboard_id)
    if doc["lifecycle_state"] != "ACTIVE":
        raise ApiError.invalid_state(f"Dashboard {dashboard_id} is in the trash")
    fields = body or {}
    etag = fields.get("etag")
    if etag and str(etag) != doc["etag"]:
        raise ApiError.conflict(f"Dashboard {dashboard_id} was changed since etag {etag}")
    doc.update({k: fields[k] for k in _EDITABLE if k in fields})
    doc["path"] = f"{doc['parent_path']}/{doc['display_name']}.lvdash.json"
    doc["update_time"] = now_iso()
    doc["etag"] = str(int(doc["etag"]) + 1)
    store_.put(dashboard_id, doc, name=doc["display_name"])
    return doc


@router.delete("/{dashboard_id}")
def trash(request: Request, dashboard_id: str) -> dict[str, Any]:
    store_ = dashboards(request)
    doc = store_.get(dashboard_id)
    if doc["lifecycle_state"] == "TRASHED":
        raise ApiError.not_found(f"Dashboard {dashboard_id} is already in the trash")
    store_.put(dashboard_id, {**doc, "lifecycle_state": "TRASHED", "update_time": now_iso()})
    return {}


@router.post("/{dashboard_id}/published")
def publish(request: Request, dashboard_id: str, body: JsonBody = None) -> dict[str, Any]:
    doc = dashboards(request).get(dashboard_id)
    if doc["lifecycle_state"] != "ACTIVE":
        raise ApiError.invalid_state(f"Dashboard {dashboard_id} is in the trash")
    fields = body or {}
    version = {
        "display_name": doc["display_name"],
        "embed_credentials": bool(fields.get("embed_credentials", False)),
        "warehouse_id": fields.get("warehouse_id") or doc.get("warehouse_id", ""),
        "revision_create_time": now_iso(),
    }
    store_ = published(request)
    try:
        store_.get(dashboard_id)
        store_.put(dashboard_id, version)
    except ApiError:
        store_.create(dashboard_id, dashboard_id, version)
    return version


@router.get("/{dashboard_id}/published")
def get_published(request: Request, dashboard_id: str) -> dict[str, Any]:
    dashboards(request).get(dashboard_id)
    return published(request).get(dashboard_id)


@router.delete("/{dashboard_id}/published")
def unpublish(request: Request, dashboard_id: str) -> dict[str, Any]:
    published(request).delete(dashboard_id)
    return {}
