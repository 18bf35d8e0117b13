"""Discovery, identity and the server's own status.

`/.well-known/databricks-config` is what the SDK fetches, unauthenticated, when a client is
created; `/api/2.0/preview/scim/v2/Me` is `w.current_user.me()`, which tools call first to check
their credentials. `/api/2.0/brickyard/status` is not Databricks API: `brickyard local status`
reads it to confirm that the process on the port is this workspace.
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any

from fastapi import APIRouter, Request

from brickyard import __version__
from brickyard.local.server.routes.deps import services

router = APIRouter()


@router.get("/.well-known/databricks-config", tags=["meta"])
def databricks_config(request: Request) -> dict[str, Any]:
    ws = services(request)
    return {"oidc_endpoint": f"{_origin(request, ws.host)}/oidc", "workspace_id": ws.workspace_id}


def _origin(request: Request, http_host: str) -> str:
    """The address the client called: a request that reached the http listener through the HTTPS
    port (see `server.front`) names that port in its Host header."""
    called = request.headers.get("host", "")
    if called and called.rsplit(":", 1)[-1] != http_host.rsplit(":", 1)[-1]:
        return f"https://{called}"
    return http_host


@router.get("/api/2.0/preview/scim/v2/Me", tags=["identity"])
def me(request: Request) -> dict[str, Any]:
    ws = services(request)
    return user_doc(ws.user)


def user_doc(user: str) -> dict[str, Any]:
    user_id = str(int(hashlib.sha256(user.encode()).hexdigest()[:12], 16))
    return {
        "id": user_id,
        "userName": user,
        "displayName": user.split("@", 1)[0],
        "active": True,
        "emails": [{"value": user, "type": "work", "primary": True}],
        "groups": [{"display": "admins", "value": "1", "type": "direct"}],
        "entitlements": [{"value": "workspace-access"}, {"value": "allow-cluster-create"}],
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    }


@router.get("/api/2.0/brickyard/status", tags=["brickyard"])
def status(request: Request) -> dict[str, Any]:
    ws = services(request)
    return {
        "pid": os.getpid(),
        "home": str(ws.home.root),
        "host": ws.host,
        "version": __version__,
        "started_at": ws.started_at,
        "uptime_seconds": round(time.time() - ws.started_at, 3),
        "user": ws.user,
        "workspace_id": ws.workspace_id,
        "engine": {"running": ws.compute.engine_url is not None, "url": ws.compute.engine.address},
    }
