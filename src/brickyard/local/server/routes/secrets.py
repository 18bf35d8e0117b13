"""Secrets API (`/api/2.0/secrets/*`). Values are write-only here: `secrets/get` is refused, and
only a task reads a value, through `dbutils.secrets`, which redacts it from the task's output."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, field, services

router = APIRouter(prefix="/api/2.0/secrets", tags=["secrets"])


@router.post("/scopes/create")
def create_scope(request: Request, body: JsonBody = None) -> dict[str, Any]:
    backend = field(body, "scope_backend_type", str, "DATABRICKS")
    services(request).secrets.create_scope(field(body, "scope", str), backend)
    return {}


@router.get("/scopes/list")
def list_scopes(request: Request) -> dict[str, Any]:
    scopes = services(request).secrets.list_scopes()
    return {"scopes": scopes} if scopes else {}


@router.post("/scopes/delete")
def delete_scope(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).secrets.delete_scope(field(body, "scope", str))
    return {}


@router.post("/put")
def put(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).secrets.put(
        field(body, "scope", str),
        field(body, "key", str),
        field(body, "string_value", str, None),
        field(body, "bytes_value", str, None),
    )
    return {}


@router.get("/list")
def list_(request: Request, scope: str) -> dict[str, Any]:
    found = services(request).secrets.list(scope)
    return {"secrets": found} if found else {}


@router.post("/delete")
def delete(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).secrets.delete(field(body, "scope", str), field(body, "key", str))
    return {}


@router.get("/get")
def get(request: Request, scope: str, key: str) -> dict[str, Any]:
    raise ApiError.permission_denied(
        "Secret values cannot be read through the local workspace API; "
        "read them in a task with dbutils.secrets.get, which redacts them from output."
    )
