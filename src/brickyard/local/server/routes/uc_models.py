"""Unity Catalog registered models (`/api/2.1/unity-catalog/models`): the model records, in a
schema that must exist. Versions and serving are out of scope."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, field, services
from brickyard.local.server.routes.stored import store
from brickyard.local.store import paging
from brickyard.local.store.objects import ObjectStore

router = APIRouter(prefix="/api/2.1/unity-catalog/models", tags=["unity catalog"])

_NAME = re.compile(r"^[^./\x00-\x1f\x7f]{1,255}$")
"""What Unity Catalog refuses in an object's name: dots, slashes and control characters."""


def models(request: Request) -> ObjectStore:
    return store(request, "registered_models", "Registered model")


@router.post("")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    catalog, schema, name = (field(body, k, str) for k in ("catalog_name", "schema_name", "name"))
    if not _NAME.match(name):
        raise ApiError.invalid(f"Invalid registered model name {name!r}")
    unity = services(request).unity
    unity.get_schema(f"{catalog}.{schema}")  # 404 when the schema does not exist
    full_name = f"{catalog}.{schema}.{name}"
    doc = unity.stamp(
        {
            "catalog_name": catalog,
            "schema_name": schema,
            "name": name,
            "full_name": full_name,
            "comment": field(body, "comment", str, ""),
            "storage_location": field(body, "storage_location", str, "")
            or f"dbfs:/databricks/models/{catalog}/{schema}/{name}",
            "aliases": [],
        },
        created=True,
    )
    return models(request).create(full_name.lower(), full_name, doc)


@router.get("")
def list_(
    request: Request,
    catalog_name: str | None = None,
    schema_name: str | None = None,
    max_results: int | None = None,
    page_token: str | None = None,
) -> dict[str, Any]:
    found = [
        m
        for m in models(request).all()
        if catalog_name in (None, m["catalog_name"]) and schema_name in (None, m["schema_name"])
    ]
    page, token = paging.page_list(found, max_results, page_token)
    return {"registered_models": page, **({"next_page_token": token} if token else {})}


@router.get("/{full_name}")
def get(request: Request, full_name: str) -> dict[str, Any]:
    return models(request).get(full_name.lower())


@router.patch("/{full_name}")
def update(request: Request, full_name: str, body: JsonBody = None) -> dict[str, Any]:
    store_ = models(request)
    doc = store_.get(full_name.lower())
    for key in ("comment", "owner"):
        if (body or {}).get(key) is not None:
            doc[key] = field(body, key, str)
    new_name = field(body, "new_name", str, None)
    target = None
    if new_name and new_name != doc["name"]:
        if not _NAME.match(new_name):
            raise ApiError.invalid(f"Invalid registered model name {new_name!r}")
        doc["name"] = new_name
        doc["full_name"] = f"{doc['catalog_name']}.{doc['schema_name']}.{new_name}"
        target = doc["full_name"].lower()
    doc = services(request).unity.stamp(doc, created=False)
    store_.put(full_name.lower(), doc, name=doc["full_name"], new_id=target)
    return doc


@router.delete("/{full_name}")
def delete(request: Request, full_name: str) -> dict[str, Any]:
    models(request).delete(full_name.lower())
    return {}
