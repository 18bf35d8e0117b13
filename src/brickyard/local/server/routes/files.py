"""Files API (`/api/2.0/fs/files/...`, `/api/2.0/fs/directories/...`): files in volumes, as
`w.files` and `databricks fs` use them for `/Volumes` paths. Uploads arrive whole in one PUT (the
SDK's one-shot upload, used below 50 MB); downloads honour `Range`, which the SDK uses to resume."""

from __future__ import annotations

import tempfile
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from brickyard.local.server.routes.deps import services
from brickyard.local.store import paging
from brickyard.local.store.volumes import http_date

router = APIRouter(prefix="/api/2.0/fs", tags=["files"])

PAGE = 1000


@router.put("/files/{path:path}")
async def upload(request: Request, path: str, overwrite: bool = False) -> Response:
    volumes = services(request).volumes
    volumes.file_of("/" + path)  # a bad path is refused before the body is read
    # Up to 5 GiB: spooled to a file in the home as it arrives, never held in memory whole.
    spool_dir = services(request).home.root / "tmp"
    spool_dir.mkdir(mode=0o700, exist_ok=True)
    with tempfile.TemporaryFile(dir=spool_dir) as spool:
        async for chunk in request.stream():
            spool.write(chunk)
        spool.seek(0)
        await run_in_threadpool(volumes.put, "/" + path, spool, overwrite)
    return Response(status_code=204)


@router.get("/files/{path:path}")
def download(request: Request, path: str) -> Response:
    file = services(request).volumes.existing_file("/" + path)
    return FileResponse(file, media_type="application/octet-stream")


@router.head("/files/{path:path}")
def file_metadata(request: Request, path: str) -> Response:
    file = services(request).volumes.existing_file("/" + path)
    headers = {"content-length": str(file.stat().st_size), "last-modified": http_date(file)}
    return Response(status_code=200, headers=headers, media_type="application/octet-stream")


@router.delete("/files/{path:path}")
def delete_file(request: Request, path: str) -> Response:
    services(request).volumes.delete_file("/" + path)
    return Response(status_code=204)


@router.put("/directories/{path:path}")
def create_directory(request: Request, path: str) -> Response:
    services(request).volumes.mkdirs("/" + path)
    return Response(status_code=204)


@router.get("/directories/{path:path}")
def list_directory(
    request: Request, path: str, page_size: int | None = None, page_token: str | None = None
) -> dict[str, Any]:
    entries = services(request).volumes.list_dir("/" + path)
    offset = paging.decode(page_token)
    size = page_size if page_size and page_size > 0 else PAGE
    doc: dict[str, Any] = {"contents": entries[offset : offset + size]}
    if offset + size < len(entries):
        doc["next_page_token"] = paging.encode(offset + size)
    return doc


@router.head("/directories/{path:path}")
def directory_metadata(request: Request, path: str) -> Response:
    services(request).volumes.existing_dir("/" + path)
    return Response(status_code=200)


@router.delete("/directories/{path:path}")
def delete_directory(request: Request, path: str) -> Response:
    services(request).volumes.delete_dir("/" + path)
    return Response(status_code=204)
