"""Unity Catalog API, volumes (`/api/2.1/unity-catalog/volumes…`); see `store.uc_volumes` for what
a volume is on disk."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, field, services
from brickyard.local.store import paging

router = APIRouter(prefix="/api/2.1/unity-catalog", tags=["unity-catalog"])


@router.post("/volumes")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    for name in ("catalog_name", "schema_name", "name", "volume_type"):
        field(body, name, str)
    return services(request).volumes_uc.create(dict(body or {}))


@router.get("/volumes")
def list_(
    request: Request,
    catalog_name: str | None = None,
    schema_name: str | None = None,
    max_results: int | None = None,
    page_token: str | None = None,
) -> dict[str, Any]:
    if not catalog_name or not schema_name:
        raise ApiError.invalid("catalog_name and schema_name are required to list volumes")
    volumes = services(request).volumes_uc.list(catalog_name.lower(), schema_name.lower())
    found, token = paging.page_list(volumes, max_results, page_token)
    return {"volumes": found, **({"next_page_token": token} if token else {})}


@router.get("/volumes/{name}")
def read(request: Request, name: str) -> dict[str, Any]:
    return services(request).volumes_uc.get(name)


@router.patch("/volumes/{name}")
def update(request: Request, name: str, body: JsonBody = None) -> dict[str, Any]:
    changes = {k: (body or {}).get(k) for k in ("comment", "owner", "new_name")}
    return services(request).volumes_uc.update(name, changes)


@router.delete("/volumes/{name}")
def delete(request: Request, name: str) -> dict[str, Any]:
    services(request).volumes_uc.delete(name)
    return {}
