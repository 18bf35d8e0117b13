"""Databricks Apps API (`/api/2.0/apps`): apps and their deployments, addressed by name.

An app's compute is ACTIVE at once and every deployment SUCCEEDED at once, so the SDK's waiters
return; the app itself never runs here (`app_status` says so), since the local workspace hosts
no app servers.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody
from brickyard.local.server.routes.stored import hex_id, now_iso, store, user, uuid_id
from brickyard.local.store import paging
from brickyard.local.store.objects import ObjectStore

router = APIRouter(prefix="/api/2.0/apps", tags=["apps"])

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,28}[a-z0-9]$")
_EDITABLE = ("description", "resources", "budget_policy_id", "user_api_scopes", "compute_size")
_NOT_RUN = {"state": "UNAVAILABLE", "message": "The local workspace stores apps but does not run them."}


def apps(request: Request) -> ObjectStore:
    return store(request, "apps", "App")


def deployments(request: Request) -> ObjectStore:
    return store(request, "apps.deployments", "App deployment")


@router.post("")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    fields = body or {}
    name = fields.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ApiError.invalid(
            f"Invalid app name {name!r}: use 2 to 30 lowercase letters, digits and dashes, "
            "starting and ending with a letter or digit"
        )
    owner, now = user(request), now_iso()
    doc = {
        **{k: fields[k] for k in _EDITABLE if k in fields},
        "name": name,
        "id": uuid_id(),
        "url": f"{str(request.base_url).rstrip('/')}/apps/{name}",
        "compute_status": {"state": "ACTIVE", "message": "App compute is active."},
        "app_status": _NOT_RUN,
        "create_time": now,
        "creator": owner,
        "update_time": now,
        "updater": owner,
        "service_principal_name": f"app-{name}",
        "default_source_code_path": f"/Workspace/Users/{owner}/apps/{name}",
    }
    return apps(request).create(name, name, doc)


@router.get("")
def list_(request: Request, page_size: int | None = None, page_token: str | None = None) -> dict[str, Any]:
    page, token = paging.page_list(apps(request).all(), page_size or 1000, page_token)
    return {"apps": page, **({"next_page_token": token} if token else {})}


@router.get("/{name}")
def get(request: Request, name: str) -> dict[str, Any]:
    return apps(request).get(name)


@router.patch("/{name}")
def update(request: Request, name: str, body: JsonBody = None) -> dict[str, Any]:
    store_ = apps(request)
    doc = store_.get(name)
    fields = body or {}
    if fields.get("name") not in (None, name):
        raise ApiError.invalid("An app cannot be renamed")
    doc.update({k: fields[k] for k in _EDITABLE if k in fields})
    doc.update(update_time=now_iso(), updater=user(request))
    store_.put(name, doc)
    return doc


@router.delete("/{name}")
def delete(request: Request, name: str) -> dict[str, Any]:
    doc = apps(request).delete(name)
    for deployment in deployments(request).all():
        if deployment.get("_app") == name:
            deployments(request).delete(f"{name}/{deployment['deployment_id']}")
    return doc


@router.post("/{name}/deployments")
def deploy(request: Request, name: str, body: JsonBody = None) -> dict[str, Any]:
    store_ = apps(request)
    doc = store_.get(name)
    fields = body or {}
    source = fields.get("source_code_path") or doc["default_source_code_path"]
    deployment_id = hex_id(32)
    now = now_iso()
    deployment = {
        "deployment_id": deployment_id,
        "source_code_path": source,
        "mode": fields.get("mode") or "SNAPSHOT",
        "deployment_artifacts": {"source_code_path": f"{source}/.deployments/{deployment_id}"},
        "status": {
            "state": "SUCCEEDED",
            "message": "Deployment stored; the local workspace does not run apps.",
        },
        "creator": user(request),
        "create_time": now,
        "update_time": now,
    }
    deployments(request).create(f"{name}/{deployment_id}", name, {**deployment, "_app": name})
    store_.put(name, {**doc, "active_deployment": deployment, "update_time": now})
    return deployment


@router.get("/{name}/deployments")
def list_deployments(request: Request, name: str) -> dict[str, Any]:
    apps(request).get(name)
    found = [_public(d) for d in deployments(request).all() if d.get("_app") == name]
    return {"app_deployments": list(reversed(found))}


@router.get("/{name}/deployments/{deployment_id}")
def get_deployment(request: Request, name: str, deployment_id: str) -> dict[str, Any]:
    apps(request).get(name)
    return _public(deployments(request).get(f"{name}/{deployment_id}"))


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}
