"""Pipelines API (`/api/2.0/pipelines…`): definitions, updates, stop, and the event log.

Definitions live in `store.pipelines`; updates are started and stopped by the Pipelines service
(`runs.updates`), which runs each in the pipeline worker; events are read from `store.pipeline_events`.
A pipeline is RUNNING while it has an active update and IDLE otherwise, as a triggered pipeline
is on a workspace. Lists page with opaque tokens that carry the whole query, because the next-page
request may send the token alone.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, field, flag, services
from brickyard.local.server.services import Services
from brickyard.local.store import paging
from brickyard.local.store.catalog import CatalogChanges
from brickyard.local.store.pipeline_events import parse_filter, parse_order
from brickyard.local.store.pipelines import PipelineRecord, normalize_spec

router = APIRouter(prefix="/api/2.0/pipelines", tags=["pipelines"])

_LIST_FILTER = re.compile(
    r"^\s*(?:(?P<name>name)\s+LIKE|(?P<notebook>notebook)\s*=)\s*'(?P<value>(?:[^']|'')*)'\s*$", re.IGNORECASE
)
_STORAGE_PARTS = ("tables", "checkpoints", "system", "staging")


@router.post("")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    ws = services(request)
    body = body or {}
    pipeline_id = field(body, "id", str, "") or ws.pipelines.new_id()
    if ws.pipelines.find(pipeline_id) is not None:
        raise ApiError.already_exists(f"A pipeline with id {pipeline_id} already exists.")
    spec = normalize_spec(body, pipeline_id)
    if not field(body, "allow_duplicate_names", bool, False):
        _check_unique_name(ws, spec["name"], None)
    if field(body, "dry_run", bool, False):
        return {"effective_settings": spec}
    ws.pipelines.create(pipeline_id, spec, ws.user, body.get("run_as"))
    return {"pipeline_id": pipeline_id, "effective_settings": spec}


@router.put("/{pipeline_id}")
def edit(request: Request, pipeline_id: str, body: JsonBody = None) -> dict[str, Any]:
    ws = services(request)
    body = body or {}
    record = ws.pipelines.get(pipeline_id)
    if body.get("pipeline_id") not in (None, pipeline_id) or body.get("id") not in (None, pipeline_id):
        raise ApiError.invalid(
            f"The settings name pipeline {body.get('pipeline_id') or body.get('id')}, not {pipeline_id}."
        )
    expected = field(body, "expected_last_modified", int, None)
    if expected is not None and expected != record.last_modified:
        raise ApiError.conflict(
            f"Pipeline {pipeline_id} was modified at {record.last_modified}, not {expected}; "
            "read it again before editing."
        )
    spec = normalize_spec(body, pipeline_id)
    if not field(body, "allow_duplicate_names", bool, False):
        _check_unique_name(ws, spec["name"], pipeline_id)
    ws.pipelines.replace(pipeline_id, spec, body.get("run_as"))
    return {}


@router.get("/{pipeline_id}")
def get(request: Request, pipeline_id: str) -> dict[str, Any]:
    ws = services(request)
    record = ws.pipelines.get(pipeline_id)
    doc = _status(ws, record)
    doc.update(spec=record.spec, last_modified=record.last_modified)
    if record.run_as:
        doc["run_as"] = record.run_as
    return doc


@router.get("")
def list_(
    request: Request,
    filter: str | None = None,
    max_results: int | None = None,
    order_by: Annotated[list[str] | None, Query()] = None,
    page_token: str | None = None,
) -> dict[str, Any]:
    ws = services(request)
    size = paging.limit(max_results, default=25, maximum=100, name="max_results")
    query = paging.decode_query(page_token) if page_token else {"filter": filter, "order": order_by, "n": 0}
    name_like, notebook = _list_filter(query.get("filter"))
    descending = _list_order(query.get("order"))
    offset = int(query.get("n") or 0)
    records, more = ws.pipelines.page(name_like, notebook, descending, offset, size)
    doc: dict[str, Any] = {"statuses": [_status(ws, r) for r in records]}
    if more:
        doc["next_page_token"] = paging.encode_query({**query, "n": offset + size})
    return doc


@router.delete("/{pipeline_id}")
def delete(
    request: Request, pipeline_id: str, cascade: str | None = None, force: str | None = None
) -> dict[str, Any]:
    ws = services(request)
    record = ws.pipelines.get(pipeline_id)
    execution = ws.pipeline_updates.stop(pipeline_id)
    if execution is not None:
        execution.wait(30)
    if cascade is None or flag(cascade):
        _drop_datasets(ws, record)
    ws.pipelines.delete(pipeline_id)
    ws.permissions.drop("pipelines", pipeline_id)
    shutil.rmtree(ws.home.root / "pipelines" / pipeline_id, ignore_errors=True)  # its updates' files
    return {}


@router.post("/{pipeline_id}/updates")
def start_update(request: Request, pipeline_id: str, body: JsonBody = None) -> dict[str, Any]:
    ws = services(request)
    execution = ws.pipeline_updates.start(ws.pipelines.get(pipeline_id), body or {}, cause="API_CALL")
    return {"update_id": execution.update_id}


@router.get("/{pipeline_id}/updates")
def list_updates(
    request: Request,
    pipeline_id: str,
    max_results: int | None = None,
    page_token: str | None = None,
    until_update_id: str | None = None,
) -> dict[str, Any]:
    ws = services(request)
    ws.pipelines.get(pipeline_id)
    size = paging.limit(max_results, default=25, maximum=100, name="max_results")
    updates = ws.pipelines.updates(pipeline_id)
    if until_update_id:
        ids = [u["update_id"] for u in updates]
        if until_update_id not in ids:
            raise ApiError.not_found(f"Update {until_update_id} of pipeline {pipeline_id} was not found.")
        updates = updates[: ids.index(until_update_id) + 1]
    offset = paging.decode(page_token)
    doc: dict[str, Any] = {}
    if page := updates[offset : offset + size]:
        doc["updates"] = page
    if offset + size < len(updates):
        doc["next_page_token"] = paging.encode(offset + size)
    if offset:
        doc["prev_page_token"] = paging.encode(max(0, offset - size))
    return doc


@router.get("/{pipeline_id}/updates/{update_id}")
def get_update(request: Request, pipeline_id: str, update_id: str) -> dict[str, Any]:
    return {"update": services(request).pipelines.get_update(pipeline_id, update_id)}


@router.post("/{pipeline_id}/stop")
def stop(request: Request, pipeline_id: str) -> dict[str, Any]:
    ws = services(request)
    ws.pipelines.get(pipeline_id)
    ws.pipeline_updates.stop(pipeline_id)
    return {}


@router.get("/{pipeline_id}/events")
def events(
    request: Request,
    pipeline_id: str,
    filter: str | None = None,
    max_results: int | None = None,
    order_by: Annotated[list[str] | None, Query()] = None,
    page_token: str | None = None,
) -> dict[str, Any]:
    ws = services(request)
    ws.pipelines.get(pipeline_id)
    size = paging.limit(max_results, default=25, maximum=1000, name="max_results")
    query = paging.decode_query(page_token) if page_token else {"filter": filter, "order": order_by, "n": 0}
    where = parse_filter(query.get("filter"))
    ascending = parse_order(query.get("order"))
    offset = int(query.get("n") or 0)
    found, more = ws.pipeline_events.page(pipeline_id, where, ascending, offset, size)
    doc: dict[str, Any] = {"events": found}
    if more:
        doc["next_page_token"] = paging.encode_query({**query, "n": offset + size})
    if offset:
        doc["prev_page_token"] = paging.encode_query({**query, "n": max(0, offset - size)})
    return doc


def _status(ws: Services, record: PipelineRecord) -> dict[str, Any]:
    """What `pipelines/list` says of a pipeline (`PipelineStateInfo`); `get` adds the spec."""
    active = ws.pipeline_updates.active(record.pipeline_id)
    state = "IDLE" if active is None else ("STOPPING" if active.state == "STOPPING" else "RUNNING")
    latest = ws.pipelines.updates(record.pipeline_id)[:5]
    doc: dict[str, Any] = {
        "pipeline_id": record.pipeline_id,
        "name": record.name,
        "state": state,
        "creator_user_name": record.creator,
        "run_as_user_name": record.run_as_user,
        "health": "UNHEALTHY" if latest and latest[0]["state"] == "FAILED" else "HEALTHY",
    }
    if latest:
        doc["latest_updates"] = [
            {"update_id": u["update_id"], "state": u["state"], "creation_time": _iso(u["creation_time"])}
            for u in latest
        ]
    if active is not None:
        doc["cause"] = active.doc.get("cause")
    return doc


def _check_unique_name(ws: Services, name: str, pipeline_id: str | None) -> None:
    others = [p for p in ws.pipelines.named(name) if p != pipeline_id]
    if others:
        raise ApiError.already_exists(
            f"Pipeline name '{name}' is already used by pipeline {others[0]}; choose another name "
            "or set allow_duplicate_names."
        )


def _list_filter(text: Any) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    match = _LIST_FILTER.match(str(text))
    if match is None:
        raise ApiError.invalid(
            f"Invalid filter {text!r}: the supported filters are name LIKE '<pattern>' and notebook='<path>'."
        )
    value = match["value"].replace("''", "'")
    return (value, None) if match["name"] else (None, value)


def _list_order(order: Any) -> bool:
    """True for descending; pipelines are ordered by id (here: by creation), ascending by default."""
    if not order:
        return False
    words = " ".join(order).strip().lower().split()
    if words not in (["id"], ["id", "asc"], ["id", "desc"]):
        raise ApiError.invalid(f"Invalid order_by {order!r}: the supported order is 'id asc' or 'id desc'")
    return words[-1] == "desc"


def _drop_datasets(ws: Services, record: PipelineRecord) -> None:
    """Deleting a pipeline deletes its datasets: their catalog entries and their storage."""
    from brickyard.local.runs.pipeline_spec import pipeline_storage
    from brickyard.pipelines.checkpoints import Storage
    from brickyard.pipelines.names import split_name

    storage = pipeline_storage(ws.home, record)
    dropped = []
    for name in Storage(storage).published():
        parts = split_name(name)
        if len(parts) == 3:
            dropped.append((parts[0], parts[1], parts[2]))
    if dropped:
        ws.catalog.apply(CatalogChanges([], [], [], dropped))
    for part in _STORAGE_PARTS:
        shutil.rmtree(storage / part, ignore_errors=True)


def _iso(millis: int) -> str:
    return (
        datetime.fromtimestamp(millis / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )
