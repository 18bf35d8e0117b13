"""Permissions API (`/api/2.0/permissions/{type}/{id}`) for jobs, clusters, pipelines, workspace
folders, notebooks, files and repos. Stored, returned, never enforced (one local user)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, services
from brickyard.local.server.services import Services
from brickyard.local.store.objects import PERMISSION_TYPES
from brickyard.local.store.permissions import LEVELS
from brickyard.local.store.workspace import DIRECTORY, FILE, NOTEBOOK, REPO

router = APIRouter(prefix="/api/2.0/permissions", tags=["permissions"])

_WORKSPACE_TYPES = {"directories": (DIRECTORY, REPO), "notebooks": (NOTEBOOK,), "files": (FILE,)}


@router.get("/{object_type}/{object_id}/permissionLevels")
def levels(request: Request, object_type: str, object_id: str) -> dict[str, Any]:
    ws = services(request)
    _owner(ws, object_type, object_id)
    return {"permission_levels": ws.permissions.levels(object_type)}


@router.get("/{object_type}/{object_id}")
def get(request: Request, object_type: str, object_id: str) -> dict[str, Any]:
    ws = services(request)
    return ws.permissions.get(object_type, object_id, _owner(ws, object_type, object_id))


@router.put("/{object_type}/{object_id}")
def set_(request: Request, object_type: str, object_id: str, body: JsonBody = None) -> dict[str, Any]:
    ws = services(request)
    owner = _owner(ws, object_type, object_id)
    return ws.permissions.set(object_type, object_id, (body or {}).get("access_control_list") or [], owner)


@router.patch("/{object_type}/{object_id}")
def update(request: Request, object_type: str, object_id: str, body: JsonBody = None) -> dict[str, Any]:
    ws = services(request)
    owner = _owner(ws, object_type, object_id)
    return ws.permissions.update(object_type, object_id, (body or {}).get("access_control_list") or [], owner)


def _owner(ws: Services, object_type: str, object_id: str) -> str:
    """The object's creator; a 404 if there is no such object."""
    if object_type not in LEVELS:
        raise ApiError.invalid(f"permissions for {object_type!r} are not supported by the local workspace")
    try:
        if object_type == "jobs":
            return ws.jobs.get(object_id).creator
        if object_type == "clusters":
            return str(ws.clusters.get(object_id).get("creator_user_name", ws.user))
        if object_type == "repos":
            ws.repos.get(object_id)
            return ws.user
        if object_type == "pipelines":
            return ws.pipelines.get(object_id).creator
    except ApiError as err:
        raise ApiError.not_found(err.message) from None
    if object_type in PERMISSION_TYPES:
        ws.objects.permission_object(object_type, object_id)
        return ws.user
    if object_type in _WORKSPACE_TYPES:
        path = ws.tree.path_of_id(int(object_id)) if object_id.isdigit() else None
        entry = ws.tree.find(path) if path else None
        if entry is None or entry.object_type not in _WORKSPACE_TYPES[object_type]:
            raise ApiError.not_found(f"{object_type[:-1].capitalize()} {object_id} does not exist.")
    return ws.user
