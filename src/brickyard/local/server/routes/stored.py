"""What the route modules of stored-only objects share: their store, fresh ids, and field masks."""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

from fastapi import Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import services
from brickyard.local.store.objects import ObjectStore


def store(request: Request, kind: str, what: str) -> ObjectStore:
    return services(request).objects.of(kind, what)


def user(request: Request) -> str:
    return services(request).user


def hex_id(length: int = 16) -> str:
    return secrets.token_hex(length // 2)


def uuid_id() -> str:
    return str(uuid.uuid4())


def now_ms() -> int:
    return int(time.time() * 1000)


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def obj(body: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """`body[name]`, required to be an object (the wrapped resource of a create or update)."""
    value = (body or {}).get(name)
    if not isinstance(value, dict):
        raise ApiError.invalid(f"Missing required field: {name}")
    return value


def masked(
    current: dict[str, Any], changes: dict[str, Any], mask: str | None, fixed: set[str]
) -> dict[str, Any]:
    """`current` with the fields `mask` names (comma-separated; `*` or none: every field sent)
    taken from `changes`; `fixed` fields (ids, output-only fields) never change."""
    names = [m.strip() for m in (mask or "*").split(",") if m.strip()]
    chosen = set(changes) if names == ["*"] else {n.split(".")[0] for n in names}
    out = dict(current)
    for name in chosen - fixed:
        if name in changes:
            out[name] = changes[name]
        else:
            out.pop(name, None)
    return out


def required(doc: dict[str, Any], *names: str) -> None:
    for name in names:
        if doc.get(name) in (None, ""):
            raise ApiError.invalid(f"Missing required field: {name}")
