"""`/api/2.0/brickyard/faults`: read and change the fault rules of a running server (see
`brickyard.local.faults` for the rule format). Token-protected like the rest of the API, and never
itself subject to a rule."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from brickyard.local.apierror import ApiError
from brickyard.local.faults import FaultRule, parse_rules
from brickyard.local.server.routes.deps import JsonBody, services

router = APIRouter(prefix="/api/2.0/brickyard/faults", tags=["brickyard"])


@router.get("")
def list_rules(request: Request) -> dict[str, Any]:
    return {"rules": services(request).faults.as_list()}


@router.post("")
def add_rules(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).faults.add(_rules(body))
    return list_rules(request)


@router.put("")
def replace_rules(request: Request, body: JsonBody = None) -> dict[str, Any]:
    services(request).faults.replace(_rules(body))
    return list_rules(request)


@router.delete("")
def clear_rules(request: Request) -> dict[str, Any]:
    services(request).faults.clear()
    return {"rules": []}


def _rules(body: dict[str, Any] | list[Any] | None) -> list[FaultRule]:
    try:
        return parse_rules(body or {})
    except ValueError as err:
        raise ApiError.invalid(str(err)) from None
