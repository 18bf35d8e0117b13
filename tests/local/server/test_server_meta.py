"""Identity, discovery, auth refusal, unknown endpoints, OpenAPI, concurrency and fault injection."""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from databricks.sdk.errors import InternalError, NotFound, TemporarilyUnavailable, Unauthenticated
from databricks.sdk.service.workspace import ImportFormat

pytestmark = pytest.mark.server


def test_current_user_is_the_configured_local_user(w: Any) -> None:
    me = w.current_user.me()
    assert me.user_name == "tester@brickyard.local" and me.active


def test_discovery_is_open_and_everything_else_needs_the_token(local_ws: Any) -> None:
    from databricks.sdk import WorkspaceClient

    with urllib.request.urlopen(f"{local_ws.host}/.well-known/databricks-config") as response:
        assert json.loads(response.read())["workspace_id"]
    stranger = WorkspaceClient(host=local_ws.host, token="dapi-wrong", auth_type="pat")
    with pytest.raises(Unauthenticated):
        stranger.current_user.me()
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{local_ws.host}/api/2.2/jobs/list")
    assert raised.value.code == 401
    assert json.loads(raised.value.read())["error_code"] == "UNAUTHENTICATED"


def test_unknown_endpoint_is_a_typed_not_found(w: Any) -> None:
    with pytest.raises(NotFound) as raised:
        w.api_client.do("GET", "/api/2.0/no-such-api")
    assert raised.value.error_code == "ENDPOINT_NOT_FOUND"


def test_openapi_lists_the_implemented_routes_once(local_ws: Any) -> None:
    with urllib.request.urlopen(f"{local_ws.host}/openapi.json") as response:
        paths = json.loads(response.read())["paths"]
    for path in (
        "/api/2.2/jobs/runs/get",
        "/api/2.1/clusters/create",
        "/api/2.0/workspace/import",
        "/api/2.0/repos",
    ):
        assert path in paths
    assert "/api/2.0/jobs/runs/get" not in paths


def test_concurrent_writes_and_reads_are_all_kept(w: Any, scratch: str) -> None:
    def work(i: int) -> int:
        content = base64.b64encode(f"v{i}".encode()).decode()
        w.workspace.import_(f"{scratch}/f{i}.txt", content=content, format=ImportFormat.AUTO)
        w.secrets.create_scope(f"conc-{i}-{time.monotonic_ns()}")
        return w.jobs.create(name=f"conc-{i}").job_id

    with ThreadPoolExecutor(8) as pool:
        job_ids = list(pool.map(work, range(24)))
    assert len(set(job_ids)) == 24
    assert len(list(w.workspace.list(scratch))) == 24
    assert w.workspace.download(f"{scratch}/f7.txt").read() == b"v7"


@pytest.fixture
def faults(w: Any) -> Any:
    yield lambda rules: w.api_client.do("PUT", "/api/2.0/brickyard/faults", body={"rules": rules})
    w.api_client.do("DELETE", "/api/2.0/brickyard/faults")


def test_retryable_faults_are_retried_by_the_sdk_honouring_retry_after(w: Any, faults: Any) -> None:
    faults([{"path": "/api/2.0/preview/scim/v2/Me$", "status": 503, "retry_after": 1, "count": 2}])
    started = time.monotonic()
    assert w.current_user.me().user_name == "tester@brickyard.local"
    assert time.monotonic() - started >= 2.0
    listed = w.api_client.do("GET", "/api/2.0/brickyard/faults")["rules"]
    assert listed[0]["hits"] == 2


def test_other_faults_fail_at_once_and_delays_slow_requests(local_ws: Any, faults: Any) -> None:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import Config

    config = Config(host=local_ws.host, token=local_ws.token, auth_type="pat", retry_timeout_seconds=2)
    client = WorkspaceClient(config=config)
    faults(
        [
            {"path": "/jobs/list$", "method": "GET", "status": 500, "message": "boom", "count": 1},
            {"path": "/clusters/spark-versions$", "delay": 0.5},
            {"path": "/secrets/scopes/list$", "status": 503},
        ]
    )
    with pytest.raises(InternalError, match="boom"):
        list(client.jobs.list())
    assert list(client.jobs.list()) is not None
    started = time.monotonic()
    client.clusters.spark_versions()
    assert time.monotonic() - started >= 0.5
    with pytest.raises(TimeoutError) as raised:
        list(client.secrets.list_scopes())
    assert isinstance(raised.value.__cause__, TemporarilyUnavailable)
