"""What stands between hostile input and the server: body size limits and the last error handler.

Body limits are those of a workspace: 10 MB of notebook content for `workspace/import`
(MAX_NOTEBOOK_SIZE_EXCEEDED), 1 MB of inline contents for `dbfs/put` and per `dbfs/add-block`
(MAX_BLOCK_SIZE_EXCEEDED) but 2 GB for a multipart `dbfs/put`, 5 GiB for a Files API upload, and
10 MB for any other request. A declared `Content-Length` over the limit is refused before a byte
of the body is read; a body sent without one (chunked) is counted as it streams and cut off at the
limit. Either way the client gets the Databricks error shape, and the server never holds more than
the limit.

The last error handler sorts what no route caught. A request that the code could not digest
(nested past the recursion limit, a number too large for SQLite, text that is not valid Unicode, a
name too long for the file system) is the input's fault: 400 INVALID_PARAMETER_VALUE, logged as a
warning. Anything else is a bug: 500 INTERNAL_ERROR naming only the exception type and an incident
id, with the traceback in the server log, the access token redacted from it.
"""

from __future__ import annotations

import errno
import json
import logging
import re
import uuid
from typing import Any

from brickyard.local.store.dbfs import MAX_BLOCK_BYTES, MAX_PUT_BYTES
from brickyard.local.store.workspace import MAX_IMPORT_BYTES

log = logging.getLogger("brickyard.local")

MB = 1024 * 1024
DEFAULT_LIMIT = 10 * MB
BASE64_SLACK = 64 * 1024
"""Room for the JSON around base64 content and for multipart headers."""


def _base64_size(raw: int) -> int:
    return (raw + 2) // 3 * 4 + BASE64_SLACK


Limit = tuple[int, str, str]
"""(bytes, error code, what is limited)."""

# (method, path prefix, multipart?) → limit; the first match wins, prefixes with and without /api.
_LIMITS: list[tuple[str, str, bool | None, Limit]] = [
    ("POST", "/api/2.0/workspace/import", None, (_base64_size(MAX_IMPORT_BYTES), "MAX_NOTEBOOK_SIZE_EXCEEDED", "workspace import content (10 MB)")),
    ("POST", "/api/2.0/workspace-files/import-file/", None, (MAX_IMPORT_BYTES, "MAX_NOTEBOOK_SIZE_EXCEEDED", "a workspace file import (10 MB)")),
    ("POST", "/api/2.0/dbfs/put", True, (2 * 1024 * MB, "MAX_BLOCK_SIZE_EXCEEDED", "a multipart DBFS put (2 GB)")),
    ("POST", "/api/2.0/dbfs/put", False, (_base64_size(MAX_PUT_BYTES), "MAX_BLOCK_SIZE_EXCEEDED", "DBFS put inline contents (1 MB); use create/add-block/close")),
    ("POST", "/api/2.0/dbfs/add-block", None, (_base64_size(MAX_BLOCK_BYTES), "MAX_BLOCK_SIZE_EXCEEDED", "a DBFS block (1 MB)")),
    ("PUT", "/api/2.0/fs/files/", None, (5 * 1024 * MB, "BAD_REQUEST", "a Files API upload (5 GiB)")),
]  # fmt: skip


def limit_for(method: str, path: str, content_type: str) -> Limit:
    multipart = content_type.startswith("multipart/form-data")
    for verb, prefix, wants_multipart, limit in _LIMITS:
        if method == verb and path.startswith(prefix) and wants_multipart in (None, multipart):
            return limit
    return (DEFAULT_LIMIT, "BAD_REQUEST", "a request body (10 MB)")


class BodyLimit:
    """ASGI middleware: refuse or cut off a body over its route's limit, with a Databricks error."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name.lower(): value for name, value in scope["headers"]}
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        size, code, what = limit_for(scope["method"], scope["path"], content_type)
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _reply(send, 400, "BAD_REQUEST", "Content-Length is not a number.")
                return
            if int(declared) > size:
                await _reply(send, 400, code, _too_large(int(declared), size, what))
                return
        state = {"received": 0, "started": False, "replied": False}

        async def limited_receive() -> dict[str, Any]:
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > size:
                    if not state["started"]:
                        await _reply(send, 400, code, _too_large(state["received"], size, what))
                        state["replied"] = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            if state["replied"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not state["replied"]:
                raise  # the body was cut off; what the app made of that is moot


def _too_large(size: int, limit: int, what: str) -> str:
    return (
        "Server received a request which exceeds maximum allowed content length for "
        f"{what}. RequestSize(bytes): {size}, Limit(bytes): {limit}"
    )


async def _reply(send: Any, status: int, code: str, message: str) -> None:
    body = json.dumps({"error_code": code, "message": message}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# ---- the last error handler ---------------------------------------------------------------------

_INPUT_ERRNOS = frozenset({errno.ENAMETOOLONG, errno.ELOOP, errno.EILSEQ, errno.EINVAL, errno.ENOTDIR})


def input_fault(err: BaseException) -> str | None:
    """Why `err` is the request's fault, or None for a bug."""
    if isinstance(err, RecursionError):
        return "the request is nested too deeply"
    if isinstance(err, OverflowError):
        return "a number in the request is out of range"
    if isinstance(err, UnicodeError):
        return "the request holds text that is not valid Unicode"
    if isinstance(err, json.JSONDecodeError):
        return f"the request body is not valid JSON: {err.msg}"
    if isinstance(err, OSError) and err.errno in _INPUT_ERRNOS:
        return f"the path cannot be used: {err.strerror}"
    if isinstance(err, ValueError) and "integer string conversion" in str(err):
        return "a number in the request has too many digits"
    return None


def install(app: Any, token: str) -> Any:
    """Register the error handlers on the FastAPI `app`, add the body limit, and return the ASGI
    app to serve: `app` wrapped so that a bug, once answered with a 500, is not logged again
    (unredacted) by the HTTP server."""
    from fastapi import Request
    from fastapi.responses import JSONResponse

    redact = _redactor(token)

    def bad_input(request: Request, reason: str, err: Exception) -> JSONResponse:
        where = f"{request.method} {request.url.path}"
        log.warning("refused %s: %s (%s)", redact(where), reason, type(err).__name__)
        return JSONResponse({"error_code": "INVALID_PARAMETER_VALUE", "message": reason}, status_code=400)

    async def maybe_input(request: Request, err: Exception) -> JSONResponse:
        reason = input_fault(err)
        if reason is None:
            raise err  # a bug: on to the last resort
        return bad_input(request, reason, err)

    async def last_resort(request: Request, err: Exception) -> JSONResponse:
        reason = input_fault(err)
        if reason is not None:
            return bad_input(request, reason, err)
        incident = uuid.uuid4().hex[:12]
        where = f"{request.method} {request.url.path}"
        log.error("internal error %s on %s\n%s", incident, redact(where), redact("".join(_format(err))))
        message = (
            f"internal error in the local workspace ({type(err).__name__}); "
            f"incident {incident} in the server log"
        )
        return JSONResponse({"error_code": "INTERNAL_ERROR", "message": message}, status_code=500)

    for kind in (RecursionError, OverflowError, UnicodeError, OSError, ValueError):
        app.add_exception_handler(kind, maybe_input)
    app.add_exception_handler(Exception, last_resort)
    app.add_middleware(BodyLimit)
    return _AnsweredOnce(app)


class _AnsweredOnce:
    """Swallow an exception that was already answered (the 500 above re-raises it by design)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        started = False

        async def watched_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception:
            if not started:
                raise


def _format(err: BaseException) -> list[str]:
    import traceback

    return traceback.format_exception(type(err), err, err.__traceback__)


def _redactor(token: str) -> Any:
    pattern = re.compile(r"(?i)(bearer\s+|token[=:]\s*)\S+")

    def redact(text: str) -> str:
        if token:
            text = text.replace(token, "[REDACTED]")
        return pattern.sub(r"\1[REDACTED]", text)

    return redact
