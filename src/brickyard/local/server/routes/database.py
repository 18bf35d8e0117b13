"""Lakebase (`/api/2.0/database`): database instances and the catalogs that expose them, by name.

Stored only: an instance is AVAILABLE at once (so the SDK's waiter returns) and runs no Postgres.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody
from brickyard.local.server.routes.stored import masked, now_iso, store, user, uuid_id
from brickyard.local.store.objects import ObjectStore

router = APIRouter(prefix="/api/2.0/database", tags=["database"])

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_INSTANCE_OUTPUT = {
    "name",
    "uid",
    "state",
    "creator",
    "creation_time",
    "pg_version",
    "read_write_dns",
    "read_only_dns",
    "effective_capacity",
    "effective_stopped",
    "effective_node_count",
    "effective_retention_window_in_days",
}
_CAPACITIES = ("CU_1", "CU_2", "CU_4", "CU_8")


def instances(request: Request) -> ObjectStore:
    return store(request, "database_instances", "Database instance")


def catalogs(request: Request) -> ObjectStore:
    return store(request, "database_catalogs", "Database catalog")


@router.post("/instances")
def create_instance(request: Request, body: JsonBody = None) -> dict[str, Any]:
    fields = body or {}
    name = fields.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ApiError.invalid(f"Invalid database instance name {name!r}: lowercase letters, digits and '-'")
    settings = {k: v for k, v in fields.items() if k not in _INSTANCE_OUTPUT}
    uid = uuid_id()
    doc = {
        "name": name,
        "capacity": "CU_1",
        "stopped": False,
        **settings,
        "uid": uid,
        "creator": user(request),
        "creation_time": now_iso(),
        "pg_version": settings.get("pg_version") or "PG_VERSION_16",
        "read_write_dns": f"instance-{uid}.database.local",
    }
    return instances(request).create(name, name, _effective(doc))


@router.get("/instances")
def list_instances(
    request: Request, page_size: int | None = None, page_token: str | None = None
) -> dict[str, Any]:
    page, token = instances(request).page(page_size, page_token, maximum=50)
    return {"database_instances": page, **({"next_page_token": token} if token else {})}


@router.get("/instances/{name}")
def get_instance(request: Request, name: str) -> dict[str, Any]:
    return instances(request).get(name)


@router.patch("/instances/{name}")
def update_instance(
    request: Request, name: str, update_mask: str | None = None, body: JsonBody = None
) -> dict[str, Any]:
    if not update_mask:
        raise ApiError.invalid("Missing required field: update_mask")
    store_ = instances(request)
    doc = masked(store_.get(name), body or {}, update_mask, _INSTANCE_OUTPUT)
    store_.put(name, _effective(doc))
    return doc


@router.delete("/instances/{name}")
def delete_instance(
    request: Request, name: str, force: str | None = None, purge: str | None = None
) -> dict[str, Any]:
    instances(request).get(name)
    dependants = [c["name"] for c in catalogs(request).all() if c["database_instance_name"] == name]
    if dependants and str(force).lower() != "true":
        raise ApiError.invalid_state(
            f"Database instance {name} has catalogs ({', '.join(dependants)}); delete them or pass force=true"
        )
    for catalog in dependants:
        catalogs(request).delete(catalog)
    instances(request).delete(name)
    return {}


@router.post("/catalogs")
def create_catalog(request: Request, body: JsonBody = None) -> dict[str, Any]:
    fields = body or {}
    for key in ("name", "database_instance_name", "database_name"):
        if not isinstance(fields.get(key), str) or not fields[key]:
            raise ApiError.invalid(f"Missing required field: {key}")
    instances(request).get(fields["database_instance_name"])
    doc = {
        "name": fields["name"],
        "database_instance_name": fields["database_instance_name"],
        "database_name": fields["database_name"],
        "create_database_if_not_exists": bool(fields.get("create_database_if_not_exists", False)),
        "uid": uuid_id(),
    }
    return catalogs(request).create(doc["name"], doc["name"], doc)


@router.get("/catalogs/{name}")
def get_catalog(request: Request, name: str) -> dict[str, Any]:
    return catalogs(request).get(name)


@router.patch("/catalogs/{name}")
def update_catalog(
    request: Request, name: str, update_mask: str | None = None, body: JsonBody = None
) -> dict[str, Any]:
    store_ = catalogs(request)
    doc = masked(
        store_.get(name), body or {}, update_mask, {"name", "uid", "database_instance_name", "database_name"}
    )
    store_.put(name, doc)
    return doc


@router.delete("/catalogs/{name}")
def delete_catalog(request: Request, name: str) -> dict[str, Any]:
    catalogs(request).delete(name)
    return {}


def _effective(doc: dict[str, Any]) -> dict[str, Any]:
    if doc.get("capacity") not in _CAPACITIES:
        raise ApiError.invalid(
            f"capacity must be one of {', '.join(_CAPACITIES)}; got {doc.get('capacity')!r}"
        )
    stopped = bool(doc.get("stopped"))
    return {
        **doc,
        "state": "STOPPED" if stopped else "AVAILABLE",
        "effective_capacity": doc["capacity"],
        "effective_stopped": stopped,
        "effective_node_count": doc.get("node_count", 1),
        "effective_retention_window_in_days": doc.get("retention_window_in_days", 7),
    }
