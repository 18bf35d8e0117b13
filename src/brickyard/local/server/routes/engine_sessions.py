"""`/api/2.0/brickyard/engine-sessions` and `/api/2.0/brickyard/dbt-artifacts`: not Databricks API.

A tool that runs on the user's side of the local workspace (`brickyard dbt`) opens its own Spark
session on the embedded engine, as a task's worker does. It asks here for what the server hands a
worker: the engine's address (started if needed, token included, so only the workspace token gets
it), the warehouse folder and the workspace's table catalog to replay. When its session stops, it
posts what it changed to the catalog, which becomes the workspace's, as a task's change set does
(see `runs.catalog`).

dbt tasks keep their `target/` artifacts in the task run's folder (see `tasks.dbt`); the second
route lists them per task run of a job run, with their content.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request

from brickyard.errors import LocalWorkspaceError
from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, services
from brickyard.local.store.catalog import CatalogChanges
from brickyard.local.tasks.dbt import ARTIFACTS_DIR

router = APIRouter(prefix="/api/2.0/brickyard", tags=["brickyard"])


@router.post("/engine-sessions")
def open_engine_session(request: Request) -> dict[str, Any]:
    ws = services(request)
    try:
        remote = ws.compute.default_remote()
    except LocalWorkspaceError as err:
        raise ApiError.invalid_state(f"the Spark engine is not available: {err}") from None
    ws.samples.ensure()
    return {
        "spark_remote": remote,
        "warehouse": str(ws.home.warehouse),
        "workspace_root": str(ws.home.workspace_root),
        "storage_root": str(ws.home.storage_root),
        "catalog": json.loads(ws.catalog.load().to_json()),
    }


@router.post("/engine-sessions/catalog-changes")
def apply_catalog_changes(request: Request, body: JsonBody = None) -> dict[str, Any]:
    try:
        changes = CatalogChanges.from_json(body or {})
    except (KeyError, TypeError, ValueError) as err:
        raise ApiError.invalid(f"not a catalog change set: {err}") from None
    if changes:
        services(request).catalog.apply(changes)
    return {}


@router.get("/dbt-artifacts")
def dbt_artifacts(request: Request, run_id: int) -> dict[str, Any]:
    """The dbt artifacts of every task run of job run `run_id` (or of task run `run_id` itself)."""
    runs_dir = services(request).home.runs_dir
    run_dir = runs_dir / str(run_id)
    folders = sorted(run_dir.glob(f"*/{ARTIFACTS_DIR}"), key=lambda p: int(p.parent.name))
    if not folders:
        folders = sorted(runs_dir.glob(f"*/{run_id}/{ARTIFACTS_DIR}"))
    if not run_dir.is_dir() and not folders:
        raise ApiError.not_found(f"Run {run_id} does not exist.")
    return {"tasks": [_task_artifacts(folder) for folder in folders]}


def _task_artifacts(folder: Path) -> dict[str, Any]:
    request = folder.parent / "request.json"
    task_key = ""
    if request.is_file():
        task_key = str(json.loads(request.read_text(encoding="utf-8")).get("task_key", ""))
    files = {
        str(path.relative_to(folder)): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    return {"task_run_id": int(folder.parent.name), "task_key": task_key, "files": files}
