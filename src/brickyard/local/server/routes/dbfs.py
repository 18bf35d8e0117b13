"""DBFS API (`/api/2.0/dbfs/*`): the calls behind `w.dbfs` and `databricks fs` for `dbfs:/` paths.

`put` takes JSON with base64 `contents` (at most 1 MB, as on a workspace) or multipart with the file
in any field (`curl -F contents=@f`, `-F content=@f`, `-F file=@f`), `path` and `overwrite` as form
fields or query parameters; larger files go through `create` / `add-block` / `close`, which is what the SDK does by itself.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, field, flag, services
from brickyard.local.store.dbfs import MAX_PUT_BYTES

router = APIRouter(prefix="/api/2.0/dbfs", tags=["dbfs"])
_FORM_FIELDS = ("path", "overwrite")


@router.post("/put")
async def put(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        others = [value for name, value in form.multi_items() if name not in _FORM_FIELDS]
        upload = form.get("contents") or next((v for v in others if not isinstance(v, str)), None)
        upload = upload or next(iter(others), None)
        if upload is None:
            raise ApiError.invalid("Missing required field: contents")
        # a file part stays in its spooled temporary file: up to 2 GB, never read into memory
        data = upload.encode() if isinstance(upload, str) else upload.file
        path = form.get("path") or request.query_params.get("path")
        overwrite = flag(str(form.get("overwrite") or request.query_params.get("overwrite") or ""))
    else:
        body = await request.json()
        if not isinstance(body, dict):
            raise ApiError.invalid("the request body must be a JSON object")
        try:
            data = base64.b64decode(body.get("contents") or "", validate=True)
        except (binascii.Error, ValueError):
            raise ApiError.invalid("contents must be base64") from None
        if len(data) > MAX_PUT_BYTES:
            raise ApiError(
                400,
                "MAX_BLOCK_SIZE_EXCEEDED",
                "Put with inline contents is limited to 1 MB; use create/add-block/close.",
            )
        path, overwrite = body.get("path"), flag(body.get("overwrite"))
    if not isinstance(path, str):
        raise ApiError.invalid("Missing required field: path")
    await run_in_threadpool(services(request).dbfs.put, path, data, overwrite)
    return {}


@router.post("/create")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    handle = services(request).dbfs.create(field(body, "path", str), field(body, "overwrite", bool, False))
    return {"handle": handle}


@router.post("/add-block")
def add_block(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).dbfs.add_block(field(body, "handle", int), field(body, "data", str))
    return {}


@router.post("/close")
def close(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).dbfs.close(field(body, "handle", int))
    return {}


@router.get("/read")
def read(request: Request, path: str, offset: int = 0, length: int = 0) -> dict[str, Any]:
    return services(request).dbfs.read(path, offset, length)


@router.get("/list")
def list_(request: Request, path: str) -> dict[str, Any]:
    files = services(request).dbfs.list(path)
    return {"files": files} if files else {}


@router.get("/get-status")
def get_status(request: Request, path: str) -> dict[str, Any]:
    return services(request).dbfs.status(path)


@router.post("/mkdirs")
def mkdirs(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).dbfs.mkdirs(field(body, "path", str))
    return {}


@router.post("/delete")
def delete(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).dbfs.delete(field(body, "path", str), field(body, "recursive", bool, False))
    return {}


@router.post("/move")
def move(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).dbfs.move(field(body, "source_path", str), field(body, "destination_path", str))
    return {}
