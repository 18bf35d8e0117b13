"""A dbt task run's artifacts as Databricks hands them out: `dbt_output.artifacts_link` in
`runs/get-output`, a pre-signed link to a compressed archive of dbt's `target/` files.

On a workspace the link points at cloud storage and works without a token for a while; here it
points back at this server (`ARCHIVE_PATH`), which the Gate lets through, and carries an expiry
and a signature instead (`SignIn.presign`). A client reads both the same way: GET the link with
`artifacts_headers`, unpack the tar.gz (`runs.dbt_history`).
"""

from __future__ import annotations

import io
import tarfile
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import services
from brickyard.local.tasks.dbt import ARTIFACTS_DIR

ARCHIVE_PATH = "/brickyard/dbt-artifacts"
LINK_SECONDS = 3600
router = APIRouter()


def dbt_output(request: Request, task_run_id: int) -> dict[str, Any] | None:
    """`dbt_output` of a task run that kept dbt artifacts; None for any other run."""
    ws = services(request)
    if _folder(ws.home.runs_dir, task_run_id) is None:
        return None
    expires = int(time.time()) + LINK_SECONDS
    path = f"{ARCHIVE_PATH}/{task_run_id}.tar.gz"
    signature = ws.signin.presign(path, expires)
    return {
        "artifacts_link": f"{ws.host.rstrip('/')}{path}?expires={expires}&signature={signature}",
        "artifacts_headers": {},
    }


@router.get(ARCHIVE_PATH + "/{name}")
def archive(request: Request, name: str, expires: int, signature: str) -> Response:
    ws = services(request)
    path = f"{ARCHIVE_PATH}/{name}"
    if not ws.signin.verify_presigned(path, expires, signature):
        raise ApiError.permission_denied("The link is invalid or has expired.")
    run_id = name.removesuffix(".tar.gz")
    folder = _folder(ws.home.runs_dir, int(run_id)) if run_id.isdigit() else None
    if folder is None:
        raise ApiError.not_found(f"Run {run_id} kept no dbt artifacts.")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for file in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
            tar.add(file, arcname=f"target/{file.relative_to(folder)}", recursive=False)
    return Response(buffer.getvalue(), media_type="application/gzip")


def _folder(runs_dir: Path, task_run_id: int) -> Path | None:
    found = [
        p for p in runs_dir.glob(f"*/{task_run_id}/{ARTIFACTS_DIR}") if p.is_dir() and not p.is_symlink()
    ]
    return found[0] if found else None
