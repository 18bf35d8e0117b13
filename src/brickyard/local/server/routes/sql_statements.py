"""Statement Execution API (`/api/2.0/sql/statements`), in the shapes of `databricks.sdk.service.sql`.

A statement that fails to run is a 200 answer with state FAILED (as on Databricks); a request that
cannot be accepted is a 4xx. EXTERNAL_LINKS point back at this server (`EXTERNAL_PATH`), signed,
to be fetched without the token.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request, Response

from brickyard.local.apierror import ApiError
from brickyard.local.server.routes.deps import JsonBody, field, services
from brickyard.local.server.services import Services
from brickyard.local.sql.params import Parameter
from brickyard.local.sql.statements import (
    CANCELED,
    EXTERNAL_PATH,
    SUCCEEDED,
    TERMINAL,
    Statement,
    chunk,
    chunk_bytes,
    describe,
)
from brickyard.local.sql.statements import Request as StatementRequest

router = APIRouter(tags=["statement execution"])
_WAIT = re.compile(r"^(\d+)s$")
_DISPOSITIONS = ("INLINE", "EXTERNAL_LINKS")
_FORMATS = ("JSON_ARRAY", "ARROW_STREAM", "CSV")


@router.post("/api/2.0/sql/statements")
def execute(request: Request, body: JsonBody = None) -> dict[str, Any]:
    ws = services(request)
    warehouse_id = field(body, "warehouse_id", str)
    text = field(body, "statement", str)
    wait = _wait_seconds(field(body, "wait_timeout", str, "10s"))
    on_timeout = field(body, "on_wait_timeout", str, "CONTINUE")
    if on_timeout not in ("CONTINUE", "CANCEL"):
        raise ApiError.invalid(f"on_wait_timeout must be CONTINUE or CANCEL; got {on_timeout!r}")
    disposition = field(body, "disposition", str, "INLINE")
    form = field(body, "format", str, "JSON_ARRAY")
    if disposition not in _DISPOSITIONS:
        raise ApiError.invalid(f"disposition must be one of {', '.join(_DISPOSITIONS)}; got {disposition!r}")
    if form not in _FORMATS:
        raise ApiError.invalid(f"format must be one of {', '.join(_FORMATS)}; got {form!r}")
    if disposition == "INLINE" and form != "JSON_ARRAY":
        raise ApiError.invalid(f"{form} format is supported only with EXTERNAL_LINKS disposition.")
    ws.warehouses.start(warehouse_id)  # a stopped warehouse starts on a statement, as serverless ones do
    statement = ws.sql.statements.submit(
        StatementRequest(
            warehouse_id=warehouse_id,
            statement=text,
            parameters=_parameters(field(body, "parameters", list, [])),
            catalog=field(body, "catalog", str, None),
            schema=field(body, "schema", str, None),
            disposition=disposition,
            format=form,
            row_limit=_positive(body, "row_limit"),
            byte_limit=_positive(body, "byte_limit"),
        )
    )
    if wait and not statement.done.wait(wait) and on_timeout == "CANCEL":
        ws.sql.statements.cancel(statement)
    return _answer(ws, request, statement)


@router.get("/api/2.0/sql/statements/{statement_id}")
def get(request: Request, statement_id: str) -> dict[str, Any]:
    ws = services(request)
    return _answer(ws, request, _statement(ws, statement_id))


@router.get("/api/2.0/sql/statements/{statement_id}/result/chunks/{index}")
def get_chunk(request: Request, statement_id: str, index: int) -> dict[str, Any]:
    ws = services(request)
    statement = _statement(ws, statement_id)
    _check_chunk(statement, index)
    return chunk(statement, index, _linker(ws, request, statement))


@router.post("/api/2.0/sql/statements/{statement_id}/cancel")
def cancel(request: Request, statement_id: str) -> dict[str, Any]:
    ws = services(request)
    ws.sql.statements.cancel(_statement(ws, statement_id))
    return {}


@router.get(EXTERNAL_PATH + "/{statement_id}/{index}")
def external_chunk(request: Request, statement_id: str, index: int, expires: int, signature: str) -> Response:
    """An EXTERNAL_LINKS chunk: no token (the gate lets this path through), a signature instead."""
    ws = services(request)
    if not ws.sql.statements.verify(statement_id, index, expires, signature):
        raise ApiError.permission_denied("The link is invalid or has expired.")
    statement = _statement(ws, statement_id)
    _check_chunk(statement, index)
    content, media_type = chunk_bytes(statement, index)
    return Response(content, media_type=media_type)


def _answer(ws: Services, request: Request, statement: Statement) -> dict[str, Any]:
    return describe(statement, _linker(ws, request, statement))


def _linker(ws: Services, request: Request, statement: Statement) -> Any:
    base = f"{request.url.scheme}://{request.url.netloc}"
    return lambda index: ws.sql.statements.link(base, statement.id, index)


def _statement(ws: Services, statement_id: str) -> Statement:
    statement = ws.sql.statements.get(statement_id)
    if statement is None:
        raise ApiError(404, "NOT_FOUND", f"The statement {statement_id} was not found.")
    return statement


def _check_chunk(statement: Statement, index: int) -> None:
    if statement.state != SUCCEEDED:
        state = "canceled" if statement.state == CANCELED else statement.state.lower()
        raise ApiError.invalid_state(
            f"The statement {statement.id} is {state}; its result is not available."
            if statement.state in TERMINAL
            else f"The statement {statement.id} has not finished yet."
        )
    if not 0 <= index < len(statement.chunks):
        raise ApiError.invalid(
            f"chunk_index {index} is out of range; the result has {len(statement.chunks)} chunk(s)."
        )


def _wait_seconds(text: str) -> float:
    match = _WAIT.match(text.strip())
    seconds = int(match.group(1)) if match else -1
    if seconds != 0 and not 5 <= seconds <= 50:
        raise ApiError.invalid(f"wait_timeout must be 0s or between 5s and 50s; got {text!r}")
    return float(seconds)


def _positive(body: dict[str, Any] | None, name: str) -> int | None:
    value = field(body, name, int, None)
    if value is not None and value < 0:
        raise ApiError.invalid(f"{name} must not be negative; got {value}")
    return value


def _parameters(items: list[Any]) -> dict[str, Parameter]:
    found: dict[str, Parameter] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise ApiError.invalid(f"parameters[{index}] must be an object with a name")
        value = item.get("value")
        found[item["name"]] = Parameter(
            None if value is None else str(value), str(item.get("type") or "STRING")
        )
    return found
