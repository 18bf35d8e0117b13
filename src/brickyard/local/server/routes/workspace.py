"""Workspace API: notebooks, files and folders (`/api/2.0/workspace/*`), and the file upload the
Databricks CLI uses (`/api/2.0/workspace-files/import-file/{path}`).

`import` accepts both forms clients send: JSON with base64 `content` (`w.workspace.import_`) and
multipart (`w.workspace.upload`). `export` answers JSON with base64 content, or the bytes themselves
with `direct_download=true` (`w.workspace.download`).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, field, flag, services
from brickyard.local.store.workspace_io import export_object, import_auto, import_object

router = APIRouter(tags=["workspace"])


@router.post("/api/2.0/workspace/import")
async def import_(request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("content")
        if upload is None:
            raise ApiError.invalid("Missing required field: content")
        data = upload.encode() if isinstance(upload, str) else await upload.read()
        args: dict[str, Any] = {k: form.get(k) for k in ("path", "format", "language", "overwrite")}
    else:
        try:
            args = await request.json()
        except ValueError:
            raise ApiError.invalid("the request body must be JSON or multipart form data") from None
        if not isinstance(args, dict):
            raise ApiError.invalid("the request body must be a JSON object")
        try:
            data = base64.b64decode(args.get("content") or "", validate=True)
        except (binascii.Error, ValueError):
            raise ApiError.invalid("content must be base64") from None
    path = field(args, "path", str)
    tree = services(request).tree
    await run_in_threadpool(
        import_object, tree, path, data, args.get("format"), args.get("language"), flag(args.get("overwrite"))
    )
    return {}


@router.post("/api/2.0/workspace-files/import-file/{path:path}")
async def import_file(request: Request, path: str, overwrite: bool = False) -> dict[str, Any]:
    data = await request.body()
    tree = services(request).tree
    await run_in_threadpool(import_auto, tree, "/" + path.lstrip("/"), data, overwrite)
    return {}


@router.get("/api/2.0/workspace/export")
def export(request: Request, path: str, format: str | None = None, direct_download: bool = False) -> Any:
    data, file_type = export_object(services(request).tree, path, format)
    if direct_download:
        return Response(data, media_type="application/octet-stream")
    return {"content": base64.b64encode(data).decode("ascii"), "file_type": file_type}


@router.get("/api/2.0/workspace/list")
def list_(request: Request, path: str, notebooks_modified_after: int | None = None) -> dict[str, Any]:
    objects = services(request).tree.list(path, notebooks_modified_after)
    return {"objects": objects} if objects else {}


@router.get("/api/2.0/workspace/get-status")
def get_status(request: Request, path: str) -> dict[str, Any]:
    return services(request).tree.status(path)


@router.post("/api/2.0/workspace/mkdirs")
def mkdirs(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).tree.mkdirs(field(body, "path", str))
    return {}


@router.post("/api/2.0/workspace/delete")
def delete(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).tree.delete(field(body, "path", str), field(body, "recursive", bool, False))
    return {}
