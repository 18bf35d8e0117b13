"""The FastAPI application: routes from `routes.ROUTERS` and the web UI's (`ui.routes`), the Gate in
front, Databricks errors out.

Every failure leaves as `{"error_code", "message"}` with a status the SDK maps to the right typed
exception: an `ApiError` as raised, a malformed request as 400 INVALID_PARAMETER_VALUE, an unknown
path as 404 ENDPOINT_NOT_FOUND (what a workspace answers), and a bug as 500 INTERNAL_ERROR with the
traceback in the server log only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from brickyard import __version__
from brickyard.local.apierror import ApiError
from brickyard.local.server import guards, metrics
from brickyard.local.server.compat import ClientCompat
from brickyard.local.server.gate import Gate
from brickyard.local.server.routes import ROUTERS
from brickyard.local.server.services import Services
from brickyard.local.ui import routes as ui_routes


def create_app(services: Services, accepts: Callable[[str], bool], token: str) -> Any:
    """The ASGI app: the FastAPI app behind its guards (body limits, errors) and client compatibility,
    wrapped in the Gate (`accepts` says which tokens, and faults). `token` is only redacted from logs."""
    app = FastAPI(
        title="brickyard local workspace",
        version=__version__,
        description="The subset of the Databricks REST API that the brickyard local workspace implements.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    for router, prefixes in ROUTERS:
        for index, prefix in enumerate(prefixes):
            app.include_router(router, prefix=prefix, include_in_schema=index == 0)
    app.include_router(ui_routes.api)
    app.include_router(ui_routes.router)
    metrics.install(app, services)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(HTTPException, _http_error)
    return Gate(ClientCompat(guards.install(app, token)), accepts, services.faults, services.signin)


def error_response(status: int, code: str, message: str, retry_after: float | None = None) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse({"error_code": code, "message": message}, status_code=status, headers=headers)


async def _api_error(request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, ApiError)
    return error_response(err.status, err.error_code, err.message, err.retry_after)


async def _invalid_request(request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, RequestValidationError)
    problems = []
    for problem in err.errors():
        where = ".".join(str(p) for p in problem.get("loc", ()) if p not in ("body", "query", "path"))
        problems.append(f"{where}: {problem.get('msg')}" if where else str(problem.get("msg")))
    return error_response(400, "INVALID_PARAMETER_VALUE", "; ".join(problems) or "invalid request")


async def _http_error(request: Request, err: Exception) -> JSONResponse:
    assert isinstance(err, HTTPException)
    if err.status_code == 404:
        return error_response(
            404, "ENDPOINT_NOT_FOUND", f"No API found for '{request.method} {request.url.path}'"
        )
    if err.status_code == 405:
        return error_response(
            405, "ENDPOINT_NOT_FOUND", f"No API found for '{request.method} {request.url.path}'"
        )
    return error_response(err.status_code, "BAD_REQUEST", str(err.detail))
