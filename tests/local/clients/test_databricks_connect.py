"""Databricks Connect against the local workspace: gRPC over TLS to the workspace host, checked like
a workspace checks it, relayed to the local Spark engine.

databricks-connect ships its own `pyspark` and cannot share an environment with pyspark-client, so
the module builds one from connect-requirements.txt with uv, offline, from the cache `make install`
fills (about a second), and runs the client there as a subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import grpc
import pytest

from brickyard.local.lifecycle import LocalWorkspace
from brickyard.local.server.connect_proxy import SERVICE, Endpoint, _top_level_fields
from tests.conftest import UV_CACHE

pytestmark = [pytest.mark.server, pytest.mark.engine]
HERE = Path(__file__).parent
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def connect_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("connect") / "venv"
    env = {**os.environ, "UV_CACHE_DIR": UV_CACHE, "UV_OFFLINE": "1"}
    uv = str(BIN / "uv")
    subprocess.run(
        [uv, "venv", "-q", str(venv), "--python", sys.executable], env=env, check=True, timeout=120
    )
    installed = subprocess.run(
        [
            uv,
            "pip",
            "install",
            "-q",
            "--python",
            str(venv / "bin" / "python"),
            "-r",
            str(HERE / "connect-requirements.txt"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, f"run `make install` to cache databricks-connect:\n{installed.stderr}"
    return venv / "bin" / "python"


@pytest.fixture(scope="module")
def cluster_id(connect_env: Path, w: Any) -> str:
    """A cluster on the runtime that matches the client, as a team picks it."""
    version = subprocess.run(
        [
            str(connect_env),
            "-c",
            "from importlib.metadata import version; print(version('databricks-connect'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    major, minor = version.split(".")[:2]
    spec = {"cluster_name": "connect", "spark_version": f"{major}.{minor}.x-scala2.12", "num_workers": 0}
    return str(w.clusters.create(node_type_id="i3.xlarge", **spec).result().cluster_id)


def client_env(local_ws: LocalWorkspace, home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "SPARK_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the first run compiles pyspark; the next ones start fast
    env.update(
        HOME=str(home),
        REQUESTS_CA_BUNDLE=local_ws.ca_file,
        GRPC_DEFAULT_SSL_ROOTS_FILE_PATH=local_ws.ca_file,
        **extra,
    )
    return env


def test_a_dataframe_round_trip_on_a_cluster_and_on_serverless(
    connect_env: Path, cluster_id: str, local_ws: LocalWorkspace, tmp_path: Path
) -> None:
    env = client_env(
        local_ws,
        tmp_path,
        CONNECT_HOST=local_ws.https_host,
        CONNECT_TOKEN=local_ws.token,
        CONNECT_CLUSTER=cluster_id,
    )
    done = subprocess.run(
        [str(connect_env), str(HERE / "connect_roundtrip.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout)
    assert out["round_trip"] == [{"id": 2, "name": "B", "score": 3.0}, {"id": 4, "name": "D", "score": 7.0}]
    assert out["sum"] == 5050 and out["serverless"] == [{"answer": 42}]
    assert out["udf"] == [0, 10, 20]  # a Python UDF, pickled by the client, run by the engine
    assert out["error"] == "AnalysisException"


def test_a_pytest_suite_using_databricks_session_runs_unchanged(
    connect_env: Path, cluster_id: str, local_ws: LocalWorkspace, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(HERE / "connect_suite", project)
    env = client_env(
        local_ws,
        tmp_path,
        DATABRICKS_HOST=local_ws.https_host,
        DATABRICKS_TOKEN=local_ws.token,
        DATABRICKS_CLUSTER_ID=cluster_id,
    )
    done = subprocess.run(
        [
            str(connect_env),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(project),
            str(project),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout


def channel(local_ws: LocalWorkspace) -> grpc.Channel:
    port = local_ws.https_host.rsplit(":", 1)[1]
    creds = grpc.ssl_channel_credentials(Path(local_ws.ca_file).read_bytes())
    return grpc.secure_channel(f"127.0.0.1:{port}", creds)


def analyze_spark_version(local_ws: LocalWorkspace, metadata: list[tuple[str, str]]) -> bytes:
    from pyspark.sql.connect.proto import base_pb2

    request = base_pb2.AnalyzePlanRequest(
        session_id="00112233-4455-6677-8899-aabbccddeeff",
        client_type="_SPARK_CONNECT_PYTHON dbconnect/15.4.3",
        spark_version=base_pb2.AnalyzePlanRequest.SparkVersion(),
    )
    with channel(local_ws) as ch:
        call = ch.unary_unary(f"/{SERVICE}/AnalyzePlan")
        response: bytes = call(request.SerializeToString(), metadata=metadata, timeout=60)
        return response


def test_the_proxy_checks_the_token_and_the_cluster(local_ws: LocalWorkspace) -> None:
    for metadata, code in (
        ([("authorization", "Bearer wrong")], grpc.StatusCode.UNAUTHENTICATED),
        ([], grpc.StatusCode.UNAUTHENTICATED),
        (
            [
                ("authorization", f"Bearer {local_ws.token}"),
                ("x-databricks-cluster-id", "0000-000000-nothere"),
            ],
            grpc.StatusCode.FAILED_PRECONDITION,
        ),
    ):
        with pytest.raises(grpc.RpcError) as refused:
            analyze_spark_version(local_ws, metadata)
        assert refused.value.code() == code, refused.value.details()


def test_spark_version_answers_carry_a_runtime_version_matching_the_client(local_ws: LocalWorkspace) -> None:
    from pyspark.sql.connect.proto import base_pb2

    raw = analyze_spark_version(local_ws, [("authorization", f"Bearer {local_ws.token}")])
    response = base_pb2.AnalyzePlanResponse.FromString(raw)
    assert response.spark_version.version  # the engine's own answer survives
    assert _top_level_fields(_top_level_fields(raw)[8])[800] == b"15.4.x-scala2.12"


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("sc://127.0.0.1:15002", Endpoint("127.0.0.1:15002")),
        ("sc://localhost:7/;token=abc", Endpoint("localhost:7", "abc")),
        ("sc://spark.example:443/;use_ssl=true;token=t;user_id=u", Endpoint("spark.example:443", "t", True)),
    ],
)
def test_endpoint_urls_give_the_address_token_and_tls_the_proxy_dials(
    remote: str, expected: Endpoint
) -> None:
    assert Endpoint.parse(remote) == expected
