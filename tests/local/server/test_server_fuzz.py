"""Every route of the local workspace app, driven with random paths, queries and bodies.

The routes are read from the app itself, so a route added later is covered without touching this
test. Each one is first called once with a hostile but fixed request, then Hypothesis sends random
ones (derandomized: the same examples on every run). For every answer: no 5xx, a 4xx has the
Databricks error shape, and nothing outside the home is created or changed, even through the links
out that a cloned repository could hold. The engine is replaced by a fault, so runs end at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brickyard.errors import LocalWorkspaceError
from brickyard.local.home import LocalHome
from tests.local.server.asgi import call

TOKEN = "dapi-fuzz-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
PARAM = re.compile(r"\{([^}:]+)(:path)?\}")


def endpoints(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    """(method, path template, route) for every route, through included routers."""
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI ≥ 0.16x keeps included routers nested
            yield from endpoints(route.original_router.routes, prefix + route.include_context.prefix)
        elif getattr(route, "methods", None):
            for method in sorted(route.methods):
                yield method, prefix + route.path, route


class Box:
    """A folder holding the home and, beside it, what must stay untouched."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = LocalHome(root / "home")
        self.outside = root / "outside"
        self.outside.mkdir(parents=True)
        (self.outside / "secret.txt").write_text("top secret\n")

    def plant_links(self) -> None:
        """Links out, where a cloned repository or a task could leave them."""
        home = self.home
        for folder in (
            home.workspace_root / "Repos" / "u" / "r",
            home.workspace_root / "Users",
            home.storage_root / "dbfs",
            home.storage_root / "volumes" / "c" / "s" / "v",
        ):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "link").symlink_to(self.outside, target_is_directory=True)
            (folder / "flink").symlink_to(self.outside / "secret.txt")

    def snapshot(self) -> dict[str, Any]:
        return {
            "beside": sorted(p.name for p in self.root.iterdir()),
            "outside": {p.name: p.read_bytes() for p in self.outside.iterdir()},
        }


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Box, list[tuple[str, str, Any]]]]:
    from brickyard.local.server.wiring import build

    box = Box(Path(tmp_path_factory.mktemp("box")))
    workspace = build(box.home, TOKEN, "http://127.0.0.1:0")
    services = workspace.services
    box.plant_links()

    def no_engine(*args: object, **kwargs: object) -> Any:
        raise LocalWorkspaceError("the engine is switched off in this test")

    services.compute.default_remote = no_engine  # type: ignore[method-assign]
    services.compute.remote_for = no_engine  # type: ignore[method-assign]
    workspace.pool.start = no_engine  # type: ignore[method-assign]
    app = workspace.app()
    fastapi_app = app
    while not hasattr(fastapi_app, "routes"):
        fastapi_app = fastapi_app.app
    routes = sorted({(m, p): r for m, p, r in endpoints(fastapi_app.routes)}.items())
    try:
        yield app, box, [(m, p, r) for (m, p), r in routes]
    finally:
        workspace.close()


ESCAPES = ["..", "../..", "link", "flink", "escape-target", "Users", "Repos", "u", "r", "c", "s", "v"]
segment = st.one_of(
    st.sampled_from([*ESCAPES, ".", "", "x" * 300, "a\x00b", "\ud800", "é", "%2e%2e", "~", "\\", "dbfs:"]),
    st.text(max_size=10),
)
path_text = st.builds(
    lambda lead, parts: lead + "/".join(parts),
    st.sampled_from(["/", "", "dbfs:/", "/Workspace/", "/Volumes/c/s/v/", "/Repos/u/r/", "/dbfs/", "//"]),
    st.lists(segment, max_size=7),
)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    path_text,
)
FIELDS = [
    "path", "source_path", "destination_path", "job_id", "run_id", "name", "handle", "data",
    "contents", "content", "overwrite", "recursive", "scope", "key", "string_value", "url",
    "branch", "tag", "settings", "tasks", "format", "language", "cluster_id", "pipeline_id",
    "catalog_name", "schema_name", "full_name", "offset", "limit", "page_token", "job_parameters",
]  # fmt: skip
json_value = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), inner, max_size=5),
    ),
    max_leaves=12,
)
body = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), json_value, max_size=6).map(lambda d: json.dumps(d).encode()),
    json_value.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=64),
    st.integers(min_value=1, max_value=3000).map(lambda n: b"[" * n + b"]" * n),
)
content_type = st.sampled_from(
    ["application/json", "text/json", "", "text/plain", "application/octet-stream"]
)


def fill(template: str, draw_value: Any) -> str:
    return PARAM.sub(lambda m: draw_value(bool(m.group(2))), template)


def check(reply: Any, method: str, path: str) -> None:
    assert reply.status < 500, f"{method} {path} -> {reply.status} {reply.body[:300]!r}"
    if reply.status >= 400 and method != "HEAD":
        doc = reply.json()
        assert isinstance(doc, dict) and {"error_code", "message"} <= set(doc), (method, path, doc)
        assert isinstance(doc["error_code"], str) and isinstance(doc["message"], str)


def test_every_route_answers_a_fixed_hostile_request(fuzzed: tuple[Any, Box, list[Any]]) -> None:
    app, box, routes = fuzzed
    before = box.snapshot()
    hostile = "/Repos/u/r/link/escape-target"
    for method, template, _route in routes:
        path = fill(template, lambda is_path: hostile.lstrip("/") if is_path else "..%00" + "x" * 300)
        query = {name: hostile for name in ("path", "job_id", "run_id", "offset", "limit")}
        payload = json.dumps({f: hostile for f in FIELDS}).encode()
        reply = call(app, method, path, query, {**HEADERS, "content-type": "application/json"}, payload)
        check(reply, method, path)
    assert len(routes) > 100, "the app's routes were found"
    assert box.snapshot() == before


@settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_requests_at_random_routes(fuzzed: tuple[Any, Box, list[Any]], data: st.DataObject) -> None:
    app, box, routes = fuzzed
    before = box.snapshot()
    method, template, route = data.draw(st.sampled_from(routes), label="route")

    def value(is_path: bool) -> str:
        drawn = data.draw(path_text if is_path else segment)
        return drawn.lstrip("/") if is_path else drawn

    path = fill(template, value)
    query_names = [p.alias for p in getattr(getattr(route, "dependant", None), "query_params", [])]
    query = data.draw(
        st.dictionaries(st.sampled_from([*query_names, "path"]), path_text | st.text(max_size=8), max_size=3),
        label="query",
    )
    headers = {**HEADERS, "content-type": data.draw(content_type, label="content-type")}
    payload = data.draw(body, label="body")
    reply = call(app, method, path, query, headers, payload)
    check(reply, method, path)
    assert box.snapshot() == before
