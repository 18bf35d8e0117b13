"""MLflow experiments (`/api/2.0/mlflow/experiments/*`): the records, not a tracking server.

Names are unique among live and deleted experiments, as MLflow keeps them; deleting marks an
experiment `deleted`, and restoring brings it back.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, field, services
from brickyard.local.server.routes.stored import now_ms, store
from brickyard.local.store import paging
from brickyard.local.store.objects import ObjectStore

router = APIRouter(prefix="/api/2.0/mlflow/experiments", tags=["mlflow"])


def experiments(request: Request) -> ObjectStore:
    return store(request, "experiments", "Experiment")


@router.post("/create")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    name = field(body, "name", str)
    store_ = experiments(request)
    if store_.named(name) is not None:
        raise ApiError.already_exists(f"Experiment with name '{name}' already exists.")
    experiment_id = str(services(request).objects.next_id("experiments", start=1_000_000_000_000_000))
    now = now_ms()
    doc = {
        "experiment_id": experiment_id,
        "name": name,
        "artifact_location": field(body, "artifact_location", str, "")
        or f"dbfs:/databricks/mlflow-tracking/{experiment_id}",
        "lifecycle_stage": "active",
        "creation_time": now,
        "last_update_time": now,
        "tags": field(body, "tags", list, []),
    }
    store_.create(experiment_id, name, doc)
    return {"experiment_id": experiment_id}


@router.get("/get")
def get(request: Request, experiment_id: str) -> dict[str, Any]:
    return {"experiment": experiments(request).get(experiment_id)}


@router.get("/get-by-name")
def get_by_name(request: Request, experiment_name: str) -> dict[str, Any]:
    found = experiments(request).named(experiment_name)
    if found is None:
        raise ApiError.not_found(f"Could not find experiment with name {experiment_name}")
    return {"experiment": found}


@router.post("/update")
def update(request: Request, body: JsonBody = None) -> dict[str, Any]:
    store_ = experiments(request)
    experiment_id = field(body, "experiment_id", str)
    doc = store_.get(experiment_id)
    new_name = field(body, "new_name", str, None)
    if new_name and new_name != doc["name"]:
        if store_.named(new_name) is not None:
            raise ApiError.already_exists(f"Experiment with name '{new_name}' already exists.")
        doc.update(name=new_name, last_update_time=now_ms())
        store_.put(experiment_id, doc, name=new_name)
    return {}


@router.post("/delete")
def delete(request: Request, body: JsonBody = None) -> dict[str, Any]:
    return _set_stage(request, field(body, "experiment_id", str), "deleted")


@router.post("/restore")
def restore(request: Request, body: JsonBody = None) -> dict[str, Any]:
    return _set_stage(request, field(body, "experiment_id", str), "active")


@router.post("/search")
def search(request: Request, body: JsonBody = None) -> dict[str, Any]:
    view = field(body, "view_type", str, "ACTIVE_ONLY")
    wanted = {"ACTIVE_ONLY": ("active",), "DELETED_ONLY": ("deleted",), "ALL": ("active", "deleted")}.get(
        view
    )
    if wanted is None:
        raise ApiError.invalid(f"view_type must be ACTIVE_ONLY, DELETED_ONLY or ALL; got {view!r}")
    found = [e for e in experiments(request).all() if e["lifecycle_stage"] in wanted]
    size = paging.limit(field(body, "max_results", int, None), 1000, 50000, "max_results")
    page, token = paging.page_list(found, size, field(body, "page_token", str, None))
    return {"experiments": page, **({"next_page_token": token} if token else {})}


def _set_stage(request: Request, experiment_id: str, stage: str) -> dict[str, Any]:
    store_ = experiments(request)
    doc = store_.get(experiment_id)
    if doc["lifecycle_stage"] == stage:
        raise ApiError.invalid_state(f"Experiment {experiment_id} is already {stage}")
    store_.put(experiment_id, {**doc, "lifecycle_stage": stage, "last_update_time": now_ms()})
    return {}
