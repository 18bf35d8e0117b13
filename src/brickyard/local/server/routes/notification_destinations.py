"""Notification destinations (`/api/2.0/notification-destinations`): where jobs'
`webhook_notifications` send, by id.

As on Databricks, what a destination holds in secret (URLs, tokens, passwords) is written but never
read back: answers say `url_set: true` instead. The local workspace delivers to `slack`,
`microsoft_teams` and `generic_webhook` destinations (an HTTP POST) and to `email` ones (its SMTP
server, see `runs.notices`); others are kept and reported as not deliverable here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.runs.notices import DESTINATIONS
from brickyard.local.server.routes.deps import JsonBody
from brickyard.local.server.routes.stored import store, uuid_id
from brickyard.local.store.objects import ObjectStore

router = APIRouter(prefix="/api/2.0/notification-destinations", tags=["notification-destinations"])

TYPES = {
    "email": "EMAIL",
    "slack": "SLACK",
    "microsoft_teams": "MICROSOFT_TEAMS",
    "generic_webhook": "WEBHOOK",
    "pagerduty": "PAGERDUTY",
}
SECRET_FIELDS = ("url", "oauth_token", "password", "username", "integration_key", "channel_id", "app_id")


def destinations(request: Request) -> ObjectStore:
    return store(request, DESTINATIONS, "Notification destination")


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """A destination as the API shows it: secret fields replaced by `<field>_set`."""
    config = {}
    for kind, settings in (doc.get("config") or {}).items():
        shown = {k: v for k, v in settings.items() if k not in SECRET_FIELDS}
        shown.update({f"{k}_set": True for k in SECRET_FIELDS if settings.get(k)})
        config[kind] = shown
    return {**doc, "config": config}


def _config(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    config = body.get("config")
    if not isinstance(config, dict) or len(config) != 1:
        raise ApiError.invalid("config must set exactly one of: " + ", ".join(TYPES))
    kind, settings = next(iter(config.items()))
    if kind not in TYPES or not isinstance(settings, dict):
        raise ApiError.invalid(f"config.{kind} is not a destination type the local workspace knows")
    if kind == "email" and not settings.get("addresses"):
        raise ApiError.invalid("config.email.addresses must name at least one address")
    if kind in ("slack", "microsoft_teams", "generic_webhook") and not str(
        settings.get("url", "")
    ).startswith(("http://", "https://")):
        raise ApiError.invalid(f"config.{kind}.url must be an http(s) URL")
    return {kind: settings}, TYPES[kind]


@router.post("")
def create(request: Request, body: JsonBody = None) -> dict[str, Any]:
    fields = body or {}
    name = str(fields.get("display_name") or "")
    if not name:
        raise ApiError.invalid("Missing required field: display_name")
    config, kind = _config(fields)
    doc: dict[str, Any] = {"id": uuid_id(), "display_name": name, "destination_type": kind, "config": config}
    destinations(request).create(doc["id"], name, doc)
    return public(doc)


@router.get("")
def list_(request: Request, page_size: int | None = None, page_token: str | None = None) -> dict[str, Any]:
    page, token = destinations(request).page(page_size, page_token)
    results = [{k: d[k] for k in ("id", "display_name", "destination_type")} for d in page]
    return {"results": results, **({"next_page_token": token} if token else {})}


@router.get("/{destination_id}")
def get(request: Request, destination_id: str) -> dict[str, Any]:
    return public(destinations(request).get(destination_id))


@router.patch("/{destination_id}")
def update(request: Request, destination_id: str, body: JsonBody = None) -> dict[str, Any]:
    store_ = destinations(request)
    doc = dict(store_.get(destination_id))
    fields = body or {}
    if fields.get("display_name"):
        doc["display_name"] = str(fields["display_name"])
    if "config" in fields:
        kept = doc["config"].get(next(iter(fields["config"] or {}), ""), {})
        merged = {k: {**kept, **(v or {})} for k, v in (fields["config"] or {}).items()}
        doc["config"], doc["destination_type"] = _config({"config": merged})
    store_.put(destination_id, doc, name=doc["display_name"])
    return public(doc)


@router.delete("/{destination_id}")
def delete(request: Request, destination_id: str) -> dict[str, Any]:
    destinations(request).delete(destination_id)
    return {}
