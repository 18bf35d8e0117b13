"""Clusters API (`/api/2.1/clusters/*`, also served under 2.0). See `store.clusters` for what a
cluster means locally: a name for a Spark Connect endpoint, with immediate state changes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.server.routes.deps import JsonBody, field, services
from brickyard.local.store import paging
from brickyard.local.store.clusters import SPARK_VERSIONS, node_types

router = APIRouter(prefix="/clusters", tags=["clusters"])


@router.post("/create")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    return {"cluster_id": services(request).clusters.create(body or {})}


@router.post("/edit")
def edit(request: Request, body: JsonBody = None) -> dict[str, Any]:
    spec = {k: v for k, v in (body or {}).items() if k != "cluster_id"}
    services(request).clusters.edit(field(body, "cluster_id", str), spec)
    return {}


@router.get("/get")
def get(request: Request, cluster_id: str) -> dict[str, Any]:
    return services(request).clusters.get(cluster_id)


@router.get("/list")
def list_(request: Request, page_size: int | None = None, page_token: str | None = None) -> dict[str, Any]:
    query = request.query_params
    clusters = services(request).clusters.list()
    states = set(query.getlist("filter_by.cluster_states"))
    sources = set(query.getlist("filter_by.cluster_sources"))
    if states:
        clusters = [c for c in clusters if c["state"] in states]
    if sources:
        clusters = [c for c in clusters if c.get("cluster_source") in sources]
    if policy := query.get("filter_by.policy_id"):
        clusters = [c for c in clusters if c.get("policy_id") == policy]
    if query.get("sort_by.field") == "CLUSTER_NAME":
        reverse = query.get("sort_by.direction") == "DESC"
        clusters = sorted(clusters, key=lambda c: c.get("cluster_name", ""), reverse=reverse)
    offset = paging.decode(page_token)
    size = page_size if page_size and page_size > 0 else max(len(clusters), 1)
    page = clusters[offset : offset + size]
    doc: dict[str, Any] = {"clusters": page} if page else {}
    if offset + size < len(clusters):
        doc["next_page_token"] = paging.encode(offset + size)
    if offset > 0:
        doc["prev_page_token"] = paging.encode(max(0, offset - size))
    return doc


@router.post("/start")
def start(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).clusters.start(field(body, "cluster_id", str))
    return {}


@router.post("/restart")
def restart(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).clusters.restart(field(body, "cluster_id", str))
    return {}


@router.post("/delete")
def delete(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).clusters.terminate(field(body, "cluster_id", str))
    return {}


@router.post("/permanent-delete")
def permanent_delete(request: Request, body: JsonBody = None) -> dict[str, Any]:
    ws = services(request)
    cluster_id = field(body, "cluster_id", str)
    ws.clusters.permanent_delete(cluster_id)
    ws.permissions.drop("clusters", cluster_id)
    return {}


@router.post("/events")
def events(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).clusters.get(field(body, "cluster_id", str))
    return {"events": [], "total_count": 0}


@router.get("/spark-versions")
def spark_versions(request: Request) -> dict[str, Any]:
    return {"versions": SPARK_VERSIONS}


@router.get("/list-node-types")
def list_node_types(request: Request) -> dict[str, Any]:
    return {"node_types": node_types()}
