"""Model serving endpoints (`/api/2.0/serving-endpoints`), addressed by name: their configuration
and versions, with nothing served. An endpoint is never READY here, and never updating, so the
SDK's waiters return at once."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody
from brickyard.local.server.routes.stored import hex_id, now_ms, store, user
from brickyard.local.store.objects import ObjectStore

router = APIRouter(prefix="/api/2.0/serving-endpoints", tags=["serving"])

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,63}$")
_FIXED = (
    "description",
    "tags",
    "ai_gateway",
    "rate_limits",
    "route_optimized",
    "budget_policy_id",
    "email_notifications",
)
_STATE = {"ready": "NOT_READY", "config_update": "NOT_UPDATING"}


def endpoints(request: Request) -> ObjectStore:
    return store(request, "model_serving_endpoints", "Serving endpoint")


@router.post("")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    fields = body or {}
    name = fields.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ApiError.invalid(f"Invalid endpoint name {name!r}: use letters, digits, '-' and '_'")
    now = now_ms()
    doc = {
        **{k: fields[k] for k in _FIXED if k in fields},
        "name": name,
        "id": hex_id(32),
        "creator": user(request),
        "creation_timestamp": now,
        "last_updated_timestamp": now,
        "state": _STATE,
        "permission_level": "CAN_MANAGE",
        "config": _config(fields.get("config") or {}, 1),
    }
    return endpoints(request).create(name, name, doc)


@router.get("")
def list_(request: Request) -> dict[str, Any]:
    keep = (
        "name",
        "id",
        "creator",
        "creation_timestamp",
        "last_updated_timestamp",
        "state",
        "tags",
        "config",
    )
    return {"endpoints": [{k: e[k] for k in keep if k in e} for e in endpoints(request).all()]}


@router.get("/{name}")
def get(request: Request, name: str) -> dict[str, Any]:
    return endpoints(request).get(name)


@router.put("/{name}/config")
def update_config(request: Request, name: str, body: JsonBody = None) -> dict[str, Any]:
    store_ = endpoints(request)
    doc = store_.get(name)
    version = int(doc["config"].get("config_version", 1)) + 1
    doc.update(config=_config(body or {}, version), last_updated_timestamp=now_ms())
    store_.put(name, doc)
    return doc


@router.patch("/{name}/tags")
def patch_tags(request: Request, name: str, body: JsonBody = None) -> dict[str, Any]:
    store_ = endpoints(request)
    doc = store_.get(name)
    fields = body or {}
    tags = {t["key"]: t for t in doc.get("tags") or []}
    for key in fields.get("delete_tags") or []:
        tags.pop(key, None)
    for tag in fields.get("add_tags") or []:
        if not isinstance(tag, dict) or not tag.get("key"):
            raise ApiError.invalid("add_tags entries need a key")
        tags[tag["key"]] = tag
    doc["tags"] = list(tags.values())
    store_.put(name, doc)
    return {"tags": doc["tags"]}


@router.delete("/{name}")
def delete(request: Request, name: str) -> dict[str, Any]:
    endpoints(request).delete(name)
    return {}


def _config(config: dict[str, Any], version: int) -> dict[str, Any]:
    entities = [dict(e) for e in config.get("served_entities") or config.get("served_models") or []]
    for entity in entities:
        if (
            not entity.get("entity_name")
            and not entity.get("model_name")
            and not entity.get("external_model")
        ):
            raise ApiError.invalid("each served entity needs an entity_name or an external_model")
        base = str(
            entity.get("entity_name")
            or entity.get("model_name")
            or entity.get("external_model", {}).get("name", "model")
        )
        version_tag = entity.get("entity_version") or entity.get("model_version") or ""
        entity.setdefault(
            "name", re.sub(r"[^A-Za-z0-9_-]", "-", base) + (f"-{version_tag}" if version_tag else "")
        )
        entity["state"] = {
            "deployment": "DEPLOYMENT_READY",
            "deployment_state_message": "Stored; nothing is served locally.",
        }
    out: dict[str, Any] = {"served_entities": entities, "config_version": version}
    traffic = config.get("traffic_config")
    if traffic is None and len(entities) == 1:
        traffic = {"routes": [{"served_model_name": entities[0]["name"], "traffic_percentage": 100}]}
    if traffic is not None:
        out["traffic_config"] = traffic
    if config.get("auto_capture_config"):
        out["auto_capture_config"] = config["auto_capture_config"]
    return out
