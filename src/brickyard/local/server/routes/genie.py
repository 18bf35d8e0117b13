"""Genie spaces (`/api/2.0/genie/spaces`): the space's definition and metadata, nothing that answers.

A space is kept as the workspace keeps it: its serialized definition, title, description,
warehouse and folder. Trashing removes it from listings and gets; the local workspace has no
conversations.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, flag
from brickyard.local.server.routes.stored import hex_id, now_iso, store, user
from brickyard.local.store.objects import ObjectStore

router = APIRouter(prefix="/api/2.0/genie/spaces", tags=["genie"])

_EDITABLE = ("title", "description", "warehouse_id", "serialized_space", "parent_path")


def spaces(request: Request) -> ObjectStore:
    return store(request, "genie_spaces", "Genie space")


def _live(request: Request, space_id: str) -> tuple[ObjectStore, dict[str, Any]]:
    store_ = spaces(request)
    doc = store_.get(space_id)
    if doc.get("trashed"):
        raise ApiError.not_found(f"Genie space {space_id} does not exist.")
    return store_, doc


def _shown(doc: dict[str, Any], serialized: bool) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "trashed" and (serialized or k != "serialized_space")}


def _text(fields: dict[str, Any], name: str) -> None:
    if name in fields and fields[name] is not None and not isinstance(fields[name], str):
        raise ApiError.invalid(f"Invalid value for field {name}: expected a string")


@router.post("")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    fields = body or {}
    for name in _EDITABLE:
        _text(fields, name)
    if not fields.get("warehouse_id"):
        raise ApiError.invalid("Missing required field: warehouse_id")
    if not fields.get("serialized_space"):
        raise ApiError.invalid("Missing required field: serialized_space")
    space_id = hex_id(32)
    now = now_iso()
    doc = {
        **{k: fields[k] for k in _EDITABLE if fields.get(k) is not None},
        "space_id": space_id,
        "title": str(fields.get("title") or "New Space"),
        "parent_path": str(fields.get("parent_path") or f"/Workspace/Users/{user(request)}").rstrip("/"),
        "create_time": now,
        "update_time": now,
        "etag": "1",
    }
    spaces(request).create(space_id, doc["title"], doc)
    return _shown(doc, serialized=False)


@router.get("")
def list_(request: Request, page_size: int | None = None, page_token: str | None = None) -> dict[str, Any]:
    from brickyard.local.store import paging

    live = [_shown(d, serialized=False) for d in spaces(request).all() if not d.get("trashed")]
    page, token = paging.page_list(live, page_size or 100, page_token)
    return {"spaces": page, **({"next_page_token": token} if token else {})}


@router.get("/{space_id}")
def get(request: Request, space_id: str, include_serialized_space: str | None = None) -> dict[str, Any]:
    return _shown(_live(request, space_id)[1], serialized=flag(include_serialized_space))


@router.patch("/{space_id}")
def update(request: Request, space_id: str, body: JsonBody = None) -> dict[str, Any]:
    store_, doc = _live(request, space_id)
    fields = body or {}
    for name in (*_EDITABLE, "etag"):
        _text(fields, name)
    etag = fields.get("etag")
    if etag and etag != doc["etag"]:
        raise ApiError.conflict(f"Genie space {space_id} was changed since etag {etag}")
    doc.update({k: fields[k] for k in _EDITABLE if fields.get(k) is not None})
    doc["parent_path"] = str(doc["parent_path"]).rstrip("/")
    doc["update_time"] = now_iso()
    doc["etag"] = str(int(doc["etag"]) + 1)
    store_.put(space_id, doc, name=doc["title"])
    return _shown(doc, serialized=False)


@router.delete("/{space_id}")
def trash(request: Request, space_id: str) -> dict[str, Any]:
    store_, doc = _live(request, space_id)
    store_.put(space_id, {**doc, "trashed": True, "update_time": now_iso()})
    return {}
