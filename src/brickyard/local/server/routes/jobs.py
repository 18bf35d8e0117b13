"""Jobs API: job definitions and runs (`/api/2.2/jobs/*`, also served under 2.1 and 2.0).

Definitions live in `store.jobs`; runs are started, queued and canceled by the orchestrator
(`runs.scheduler`) and read back through `runs.views`. API 2.2 pages a job's tasks, job clusters,
parameters and environments by 100 in `jobs/get`; older versions return them whole. A job created in
the 2.0 shape is stored as its single task (`format` SINGLE_TASK); API 2.0 shows it, and its runs
(`task`, `cluster_spec`), in that shape again, as the legacy CLI and old scripts expect.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.runs import views
from brickyard.local.server.routes import dbt_archive
from brickyard.local.server.routes.deps import JsonBody, api_version, field, services
from brickyard.local.store import paging
from brickyard.local.store.job_settings import as_multi_task, as_single_task
from brickyard.local.store.jobs import JobRecord
from brickyard.task_types import TASK_TYPES

router = APIRouter(prefix="/jobs", tags=["jobs"])

PAGE = 100
_PAGED = ("tasks", "job_clusters", "parameters", "environments")
_CLUSTER_SPEC = ("existing_cluster_id", "new_cluster", "libraries")


@router.post("/create")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    ws = services(request)
    job = ws.jobs.create(body or {}, ws.user)
    if acl := (body or {}).get("access_control_list"):
        ws.permissions.set("jobs", str(job.job_id), acl, owner=ws.user)
    return {"job_id": job.job_id}


@router.get("/get")
def get(request: Request, job_id: int, page_token: str | None = None) -> dict[str, Any]:
    ws = services(request)
    doc = ws.jobs.get(job_id).as_api()
    if api_version(request) == "2.2":
        _page_settings(doc, paging.decode(page_token))
    elif api_version(request) == "2.0":
        doc["settings"] = as_single_task(doc["settings"])
    return doc


@router.get("/list")
def list_(
    request: Request,
    limit: int | None = None,
    offset: int | None = None,
    page_token: str | None = None,
    name: str | None = None,
    expand_tasks: bool = False,
) -> dict[str, Any]:
    ws = services(request)
    size = paging.limit(limit, default=20, maximum=100)
    start = paging.decode(page_token) if page_token else (offset or 0)
    records, more = ws.jobs.page(name, start, size)
    doc: dict[str, Any] = {"has_more": more}
    if records:
        legacy = api_version(request) == "2.0"
        doc["jobs"] = [_base_job(r, expand_tasks, legacy) for r in records]
    if more:
        doc["next_page_token"] = paging.encode(start + size)
    if start:
        doc["prev_page_token"] = paging.encode(max(0, start - size))
    return doc


@router.post("/reset")
def reset(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).jobs.reset(field(body, "job_id", int), field(body, "new_settings", dict))
    return {}


@router.post("/update")
def update(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).jobs.update(
        field(body, "job_id", int),
        field(body, "new_settings", dict, {}),
        field(body, "fields_to_remove", list, []),
    )
    return {}


@router.post("/delete")
def delete(request: Request, body: JsonBody = None) -> dict[str, Any]:
    ws = services(request)
    job = ws.jobs.get(field(body, "job_id", int))
    ws.orchestrator.cancel_all(job.job_id, all_queued=False)
    ws.jobs.delete(job.job_id)
    ws.permissions.drop("jobs", str(job.job_id))
    return {}


@router.post("/run-now")
def run_now(request: Request, body: JsonBody = None) -> dict[str, Any]:
    field(body, "job_id", int)
    return services(request).orchestrator.run_now(body or {})


@router.post("/runs/submit")
def submit(request: Request, body: JsonBody = None) -> dict[str, Any]:
    body = as_multi_task(body or {}, (body or {}).get("run_name"))
    if not field(body, "tasks", list, []):
        raise ApiError.invalid("A one-time run needs at least one task.")
    return services(request).orchestrator.submit(body)


@router.get("/runs/get")
def get_run(
    request: Request,
    run_id: int,
    include_history: bool = False,
    include_resolved_values: bool = False,
    page_token: str | None = None,
) -> dict[str, Any]:
    paginate = api_version(request) == "2.2"
    doc = views.get_run(services(request), run_id, include_resolved_values, page_token, paginate)
    if (
        api_version(request) == "2.0"
        and doc.get("format") == "SINGLE_TASK"
        and len(doc.get("tasks") or []) == 1
    ):
        task = doc["tasks"][0]
        doc["task"] = {k: v for k, v in task.items() if k in TASK_TYPES}
        doc["cluster_spec"] = {k: v for k, v in task.items() if k in _CLUSTER_SPEC}
    return doc


@router.get("/runs/get-output")
def get_run_output(request: Request, run_id: int) -> dict[str, Any]:
    doc = views.get_output(services(request), run_id)
    task_run_id = int((doc.get("metadata") or {}).get("run_id") or run_id)
    dbt = dbt_archive.dbt_output(request, task_run_id)
    if dbt is not None:
        doc["dbt_output"] = dbt
    return doc


@router.get("/runs/list")
def list_runs(
    request: Request,
    job_id: int | None = None,
    active_only: bool = False,
    completed_only: bool = False,
    offset: int | None = None,
    limit: int | None = None,
    page_token: str | None = None,
    run_type: str | None = None,
    start_time_from: int | None = None,
    start_time_to: int | None = None,
    expand_tasks: bool = False,
) -> dict[str, Any]:
    if active_only and completed_only:
        raise ApiError.invalid("active_only and completed_only cannot both be true")
    ws = services(request)
    size = paging.limit(limit, default=20, maximum=25)
    start = paging.decode(page_token) if page_token else (offset or 0)
    rows, more = ws.runs.page(
        job_id, active_only, completed_only, run_type, start_time_from, start_time_to, start, size
    )
    doc: dict[str, Any] = {"has_more": more}
    if rows:
        doc["runs"] = views.list_runs(ws, rows, expand_tasks)
    if more:
        doc["next_page_token"] = paging.encode(start + size)
    if start:
        doc["prev_page_token"] = paging.encode(max(0, start - size))
    return doc


@router.post("/runs/repair")
def repair_run(request: Request, body: JsonBody = None) -> dict[str, Any]:
    field(body, "run_id", int)
    return services(request).orchestrator.repair(body or {})


@router.post("/runs/cancel")
def cancel_run(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).orchestrator.cancel(field(body, "run_id", int))
    return {}


@router.post("/runs/cancel-all")
def cancel_all_runs(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).orchestrator.cancel_all(
        field(body, "job_id", int, None), field(body, "all_queued_runs", bool, False)
    )
    return {}


@router.post("/runs/delete")
def delete_run(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).orchestrator.delete(field(body, "run_id", int))
    return {}


def _base_job(record: JobRecord, expand_tasks: bool, legacy: bool) -> dict[str, Any]:
    doc = record.as_api()
    doc.pop("run_as_user_name", None)
    if legacy:
        doc["settings"] = as_single_task(doc["settings"])
    if expand_tasks:
        doc["has_more"] = _page_settings(doc, 0)
    else:
        doc["settings"] = {k: v for k, v in doc["settings"].items() if k not in ("tasks", "job_clusters")}
    return doc


def _page_settings(doc: dict[str, Any], offset: int) -> bool:
    """Cut the settings' long lists to one page of 100; True if any list has more."""
    settings = doc["settings"] = copy.copy(doc["settings"])
    sizes = [len(settings.get(key) or []) for key in _PAGED]
    more = any(size > offset + PAGE for size in sizes)
    if not more and offset == 0:
        return False
    for key in _PAGED:
        settings[key] = list((settings.get(key) or [])[offset : offset + PAGE])
    if more:
        doc["next_page_token"] = paging.encode(offset + PAGE)
    return more
