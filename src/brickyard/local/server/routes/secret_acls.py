"""Secret scope ACLs (`/api/2.0/secrets/acls/*`): stored and listed, never enforced (one local
user, who holds MANAGE on every scope). A scope deleted and created again starts without ACLs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, field, services
from brickyard.local.server.routes.stored import store

router = APIRouter(prefix="/api/2.0/secrets/acls", tags=["secrets"])

_PERMISSIONS = ("READ", "WRITE", "MANAGE")


def _scope_key(request: Request, scope: str) -> str:
    """The scope, told apart from an earlier scope of the same name."""
    created = services(request).secrets.scope_created(scope)
    if created is None:
        raise ApiError.not_found(f"Scope {scope} does not exist!")
    return f"{scope}@{created}"


def _acls(request: Request, scope: str) -> list[dict[str, Any]]:
    key = _scope_key(request, scope)
    found = [d for d in store(request, "secret_acls", "ACL").all() if d["_scope"] == key]
    return [{"principal": d["principal"], "permission": d["permission"]} for d in found]


@router.post("/put")
def put(request: Request, body: JsonBody = None) -> dict[str, Any]:
    scope, principal = field(body, "scope", str), field(body, "principal", str)
    permission = field(body, "permission", str)
    if permission not in _PERMISSIONS:
        raise ApiError.invalid(f"permission must be one of {', '.join(_PERMISSIONS)}; got {permission!r}")
    key = _scope_key(request, scope)
    acls = store(request, "secret_acls", "ACL")
    doc = {"_scope": key, "principal": principal, "permission": permission}
    if acls.named(f"{key}/{principal}") is None:
        acls.create(f"{key}/{principal}", f"{key}/{principal}", doc)
    else:
        acls.put(f"{key}/{principal}", doc)
    return {}


@router.get("/get")
def get(request: Request, scope: str, principal: str) -> dict[str, Any]:
    if principal == services(request).user:
        _scope_key(request, scope)
        return {"principal": principal, "permission": "MANAGE"}
    for acl in _acls(request, scope):
        if acl["principal"] == principal:
            return acl
    raise ApiError.not_found(f"No ACL for principal {principal} on scope {scope}")


@router.get("/list")
def list_(request: Request, scope: str) -> dict[str, Any]:
    owner = {"principal": services(request).user, "permission": "MANAGE"}
    return {"items": [owner, *_acls(request, scope)]}


@router.post("/delete")
def delete(request: Request, body: JsonBody = None) -> dict[str, Any]:
    scope, principal = field(body, "scope", str), field(body, "principal", str)
    key = _scope_key(request, scope)
    store(request, "secret_acls", "ACL").delete(f"{key}/{principal}")
    return {}
