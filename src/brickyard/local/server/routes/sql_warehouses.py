"""SQL Warehouses API (`/api/2.0/sql/warehouses`), in the shapes of `databricks.sdk.service.sql`.

See `store.warehouses` for what a local warehouse is. Every answer carries the connection details a
SQL client needs (`odbc_params`, `jdbc_url`): this server's address and the warehouse's Thrift path.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request

from brickyard.local.server.routes.deps import JsonBody, services
from brickyard.local.server.services import Services
from brickyard.local.store import paging

router = APIRouter(prefix="/api/2.0/sql/warehouses", tags=["sql warehouses"])


@router.post("")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    return {"id": services(request).warehouses.create(body or {})}


@router.get("")
def list_(request: Request, page_size: int | None = None, page_token: str | None = None) -> dict[str, Any]:
    ws = services(request)
    found = [described(ws, doc) for doc in ws.warehouses.list()]
    offset = paging.decode(page_token)
    size = page_size if page_size and page_size > 0 else max(len(found), 1)
    doc: dict[str, Any] = {"warehouses": found[offset : offset + size]}
    if offset + size < len(found):
        doc["next_page_token"] = paging.encode(offset + size)
    return doc


@router.get("/{warehouse_id}")
def get(request: Request, warehouse_id: str) -> dict[str, Any]:
    ws = services(request)
    return described(ws, ws.warehouses.get(warehouse_id))


@router.post("/{warehouse_id}/edit")
def edit(request: Request, warehouse_id: str, body: JsonBody = None) -> dict[str, Any]:
    services(request).warehouses.edit(warehouse_id, body or {})
    return {}


@router.delete("/{warehouse_id}")
def delete(request: Request, warehouse_id: str) -> dict[str, Any]:
    ws = services(request)
    ws.warehouses.delete(warehouse_id)
    ws.permissions.drop("warehouses", warehouse_id)
    return {}


@router.post("/{warehouse_id}/start")
def start(request: Request, warehouse_id: str) -> dict[str, Any]:
    services(request).warehouses.start(warehouse_id)
    return {}


@router.post("/{warehouse_id}/stop")
def stop(request: Request, warehouse_id: str) -> dict[str, Any]:
    services(request).warehouses.stop(warehouse_id)
    return {}


def http_path(warehouse_id: str) -> str:
    return f"/sql/1.0/warehouses/{warehouse_id}"


def described(ws: Services, doc: dict[str, Any]) -> dict[str, Any]:
    """A stored warehouse with the connection details of this server."""
    address = urlsplit(ws.sql_url or ws.host)
    protocol = address.scheme or "http"
    hostname = address.hostname or "127.0.0.1"
    port = address.port or (443 if protocol == "https" else 80)
    path = http_path(doc["id"])
    jdbc = (
        f"jdbc:databricks://{hostname}:{port}/default;transportMode=http;"
        f"ssl={1 if protocol == 'https' else 0};AuthMech=3;httpPath={path};"
    )
    return {
        **doc,
        "odbc_params": {"hostname": hostname, "port": port, "path": path, "protocol": protocol},
        "jdbc_url": jdbc,
    }
