"""Repos API (`/api/2.0/repos`): git folders, cloned for real from a local or file:// repository."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.server.routes.deps import JsonBody, field, services
from brickyard.local.store import paging

router = APIRouter(prefix="/api/2.0/repos", tags=["repos"])

PAGE = 20


@router.post("")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    return services(request).repos.create(
        field(body, "url", str),
        field(body, "provider", str, None),
        field(body, "path", str, None),
        field(body, "sparse_checkout", dict, None),
    )


@router.get("")
def list_(
    request: Request, path_prefix: str | None = None, next_page_token: str | None = None
) -> dict[str, Any]:
    offset = paging.decode(next_page_token)
    repos, more = services(request).repos.list(path_prefix, offset, PAGE)
    doc: dict[str, Any] = {"repos": repos} if repos else {}
    if more:
        doc["next_page_token"] = paging.encode(offset + PAGE)
    return doc


@router.get("/{repo_id}")
def get(request: Request, repo_id: str) -> dict[str, Any]:
    return services(request).repos.get(repo_id)


@router.patch("/{repo_id}")
def update(request: Request, repo_id: str, body: JsonBody = None) -> dict[str, Any]:
    services(request).repos.update(
        repo_id,
        field(body, "branch", str, None),
        field(body, "tag", str, None),
        (body or {}).get("sparse_checkout"),
    )
    return {}


@router.delete("/{repo_id}")
def delete(request: Request, repo_id: str) -> dict[str, Any]:
    services(request).repos.delete(repo_id)
    return {}
