"""SQL alerts, v2 API (`/api/2.0/alerts`). Stored with their schedule; nothing evaluates them.

Deleting moves an alert to the trash (`lifecycle_state: DELETED`) unless `purge` is set.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, flag
from brickyard.local.server.routes.stored import masked, now_iso, obj, required, store, user, uuid_id
from brickyard.local.store import paging
from brickyard.local.store.objects import ObjectStore

router = APIRouter(prefix="/api/2.0/alerts", tags=["alerts"])

_OUTPUT = {"id", "create_time", "update_time", "lifecycle_state", "owner_user_name", "effective_run_as"}


def alerts(request: Request) -> ObjectStore:
    return store(request, "alerts", "Alert")


@router.post("")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    fields = {k: v for k, v in obj({"alert": body}, "alert").items() if k not in _OUTPUT}
    required(fields, "display_name", "query_text", "warehouse_id", "evaluation", "schedule")
    alert_id, now, owner = uuid_id(), now_iso(), user(request)
    doc = {
        **fields,
        "id": alert_id,
        "parent_path": fields.get("parent_path") or f"/Users/{owner}",
        "owner_user_name": owner,
        "create_time": now,
        "update_time": now,
        "lifecycle_state": "ACTIVE",
        "effective_run_as": fields.get("run_as") or {"user_name": owner},
    }
    return alerts(request).create(alert_id, str(fields["display_name"]), doc)


@router.get("")
def list_(request: Request, page_size: int | None = None, page_token: str | None = None) -> dict[str, Any]:
    active = [a for a in alerts(request).all() if a["lifecycle_state"] == "ACTIVE"]
    page, token = paging.page_list(active, page_size or 1000, page_token)
    return {"alerts": page, **({"next_page_token": token} if token else {})}


@router.get("/{alert_id}")
def get(request: Request, alert_id: str) -> dict[str, Any]:
    return alerts(request).get(alert_id)


@router.patch("/{alert_id}")
def update(
    request: Request, alert_id: str, update_mask: str | None = None, body: JsonBody = None
) -> dict[str, Any]:
    if not update_mask:
        raise ApiError.invalid("Missing required field: update_mask")
    store_ = alerts(request)
    doc = store_.get(alert_id)
    if doc["lifecycle_state"] != "ACTIVE":
        raise ApiError.invalid_state(f"Alert {alert_id} is in the trash")
    fields = {k: v for k, v in (body or {}).items() if k not in _OUTPUT}
    updated = {**masked(doc, fields, update_mask, _OUTPUT), "update_time": now_iso()}
    required(updated, "display_name", "query_text", "warehouse_id", "evaluation", "schedule")
    store_.put(alert_id, updated, name=str(updated["display_name"]))
    return updated


@router.delete("/{alert_id}")
def trash(request: Request, alert_id: str, purge: str | None = None) -> dict[str, Any]:
    store_ = alerts(request)
    doc = store_.get(alert_id)
    if flag(purge):
        store_.delete(alert_id)
    elif doc["lifecycle_state"] == "DELETED":
        raise ApiError.not_found(f"Alert {alert_id} is already in the trash")
    else:
        store_.put(alert_id, {**doc, "lifecycle_state": "DELETED", "update_time": now_iso()})
    return {}
