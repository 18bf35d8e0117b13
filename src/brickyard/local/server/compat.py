"""Requests as real clients send them, reshaped into what the routes expect.

A workspace is lenient where clients are sloppy, and scripts written against it rely on that:

- The legacy `databricks-cli` sends `Content-Type: text/json`; `curl -d` sends
  `application/x-www-form-urlencoded` (or nothing); both carry JSON. On `/api/` paths any body that
  is not multipart or binary is read as JSON.
- The REST reference shows GET calls with a JSON body (`GET /api/2.0/dbfs/list` with
  `{"path": "/"}`), and curl scripts copy that. The body's fields join the query string (a field
  given in both places keeps the query's value), so routes see only query parameters.

A plain ASGI middleware so the routes stay written for the one well-formed shape.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = dict[str, Any]

JSON_ALIASES = frozenset({b"", b"text/json", b"text/plain", b"application/x-www-form-urlencoded"})
QUERY_METHODS = frozenset({"GET", "HEAD"})
MAX_QUERY_BODY = 1024 * 1024


class ClientCompat:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        if scope["method"] in QUERY_METHODS:
            body = await _read_body(receive, MAX_QUERY_BODY)
            if body is None:
                await _reply_400(send, "the request body is too large")
                return
            if body.strip():
                try:
                    fields = json.loads(body)
                except (ValueError, RecursionError):  # not JSON, or nested past what the parser takes
                    fields = None
                if not isinstance(fields, dict):
                    await _reply_400(send, "the body of a GET request must be a JSON object")
                    return
                try:
                    query = _merge_query(scope.get("query_string", b""), fields)
                except UnicodeEncodeError:  # a lone surrogate (`"\ud800"`) is valid JSON, not UTF-8
                    await _reply_400(send, "the body of a GET request holds text that is not valid Unicode")
                    return
                scope = {**scope, "query_string": query}
            await self.app(scope, _replay(b"", receive), send)
            return
        content_type = _content_type(scope)
        if content_type.split(b";")[0].strip().lower() in JSON_ALIASES:
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            headers.append((b"content-type", b"application/json"))
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


def _merge_query(query: bytes, fields: dict[str, Any]) -> bytes:
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    present = {name for name, _ in pairs}
    for name, value in fields.items():
        if name in present or value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, _query_value(item)))
    return urlencode(pairs).encode("latin-1")


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _content_type(scope: Scope) -> bytes:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return bytes(value)
    return b""


async def _read_body(receive: Any, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes, upstream: Any) -> Any:
    """The body once, then the connection's own messages (a disconnect when the client leaves)."""
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        message: dict[str, Any] = await upstream()
        return message

    return receive


async def _reply_400(send: Any, message: str) -> None:
    body = json.dumps({"error_code": "MALFORMED_REQUEST", "message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})
