"""The Thrift HTTP endpoints SQL clients connect to: a warehouse's `/sql/1.0/warehouses/<id>` and a
cluster's `/sql/protocolv1/o/<org>/<cluster-id>` (see `sql.thrift_service`)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import services

router = APIRouter(tags=["sql thrift"], include_in_schema=False)
THRIFT = "application/x-thrift"


@router.post("/sql/1.0/warehouses/{warehouse_id}")
async def warehouse(request: Request, warehouse_id: str) -> Response:
    ws = services(request)
    ws.warehouses.start(warehouse_id)  # missing: 404; stopped: starts, as a serverless warehouse does
    return await _serve(request, f"/sql/1.0/warehouses/{warehouse_id}")


@router.post("/sql/protocolv1/o/{org}/{cluster_id}")
async def cluster(request: Request, org: str, cluster_id: str) -> Response:
    services(request).clusters.ensure_running(cluster_id)
    return await _serve(request, f"/sql/protocolv1/o/{org}/{cluster_id}")


async def _serve(request: Request, endpoint: str) -> Response:
    from starlette.concurrency import run_in_threadpool

    try:
        from brickyard.local.sql.thrift_service import handle
    except ImportError:
        raise ApiError.not_implemented(
            "SQL clients need the Thrift types of databricks-sql-connector on the local workspace "
            "server: install brickyard[sql]"
        ) from None
    body = await request.body()
    answer = await run_in_threadpool(handle, body, services(request).sql, endpoint)
    return Response(answer, media_type=THRIFT)
