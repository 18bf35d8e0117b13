"""Drive an ASGI app in this process, byte for byte: what a hostile client can send, a test can.

No HTTP client library sits in between, so a test chooses every header (or none: no
Content-Length, a wrong one) and how the body arrives (whole, or in chunks).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    app: Any,
    method: str,
    path: str,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | Iterable[bytes] = b"",
    content_length: bool = True,
) -> Reply:
    """One request; `body` as bytes is sent whole (with Content-Length unless told not to), as an
    iterable of chunks it is streamed without one, each chunk taken only when the app asks."""
    chunks = iter([body] if isinstance(body, bytes) else body)
    raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    if isinstance(body, bytes) and content_length and not any(k == b"content-length" for k, _ in raw_headers):
        raw_headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("utf-8", "surrogatepass"),
        "root_path": "",
        "query_string": urlencode(query or {}, encoding="utf-8", errors="surrogatepass").encode("ascii"),
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    return asyncio.run(_run(app, scope, chunks))


async def _run(app: Any, scope: dict[str, Any], chunks: Iterator[bytes]) -> Reply:
    sent: list[dict[str, Any]] = []
    state = {"next": next(chunks, b""), "done": False}

    async def receive() -> dict[str, Any]:
        if not state["done"]:
            chunk = state["next"]
            following = next(chunks, None)
            state["next"], state["done"] = following, following is None
            return {"type": "http.request", "body": chunk, "more_body": following is not None}
        await asyncio.sleep(3600)  # a client that waits for its answer
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in start.get("headers", [])}
    return Reply(start["status"], headers, body)
