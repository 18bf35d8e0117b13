"""The door every request goes through: the bearer token, then injected faults.

A plain ASGI middleware rather than a FastAPI dependency, so it costs one string compare per
request and also guards paths that match no route. Only the SDK's discovery probe and the OpenAPI
document are open; every other path needs `Authorization: Bearer <token>` with a token the server
accepts (the workspace token, or the token of a run in progress: `runs.tokens`), and a wrong one
gets the Databricks 401 shape, which the SDK raises as `Unauthenticated`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from brickyard.local.faults import FaultTable
from brickyard.local.ui import is_page
from brickyard.local.ui.signin import LOGIN_PATH, SignIn

OPEN_PATHS = frozenset({"/.well-known/databricks-config", "/openapi.json"})
OPEN_PREFIXES = ("/brickyard/sql-results/", "/brickyard/dbt-artifacts/")
"""Signed links fetched without a token: statement results behind EXTERNAL_LINKS (`sql.statements`)
and dbt tasks' artifact archives (`routes.dbt_archive`)."""
FAULTS_PATH = "/api/2.0/brickyard/faults"

Scope = dict[str, Any]


class Gate:
    def __init__(
        self, app: Any, accepts: Callable[[str], bool], faults: FaultTable, signin: SignIn | None = None
    ) -> None:
        self.app = app
        self._accepts = accepts
        self.faults = faults
        self._signin = signin

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if self._signin is not None and is_page(path):
            if path != LOGIN_PATH and not self._authorized(scope) and not self._signed_in(scope):
                if scope["method"] in ("GET", "HEAD"):
                    await _to_sign_in(send, scope)
                else:
                    await _reply(send, 401, "UNAUTHENTICATED", "Sign in first.")
                return
        elif path not in OPEN_PATHS and not path.startswith(OPEN_PREFIXES) and not self._authorized(scope):
            await _reply(send, 401, "UNAUTHENTICATED", "Invalid access token.")
            return
        if self.faults and not path.startswith(FAULTS_PATH):
            rule = self.faults.match(scope["method"], path)
            if rule is not None:
                if rule.delay:
                    await asyncio.sleep(rule.delay)
                if rule.status is not None:
                    await _reply(send, rule.status, rule.code, rule.message, rule.retry_after)
                    return
        await self.app(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                return scheme == "Bearer" and bool(token) and self._accepts(token.strip())
        return False

    def _signed_in(self, scope: Scope) -> bool:
        assert self._signin is not None
        cookies = "; ".join(v.decode("latin-1") for n, v in scope["headers"] if n == b"cookie")
        return bool(cookies) and self._signin.signed_in(cookies)


async def _to_sign_in(send: Any, scope: Scope) -> None:
    """A browser without a session goes to the sign-in form, which brings it back here after."""
    target = scope["path"] + (
        ("?" + scope["query_string"].decode("latin-1")) if scope["query_string"] else ""
    )
    location = f"{LOGIN_PATH}?next={quote(target, safe='')}"
    headers = [(b"location", location.encode("latin-1")), (b"content-length", b"0")]
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


async def _reply(send: Any, status: int, code: str, message: str, retry_after: float | None = None) -> None:
    body = json.dumps({"error_code": code, "message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append(
            (
                b"retry-after",
                str(int(retry_after) if retry_after == int(retry_after) else retry_after).encode(),
            )
        )
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
