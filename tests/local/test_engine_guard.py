"""The embedded engine answers only callers with the token, and Sail itself is out of reach."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.engine


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def test_a_session_with_the_token_works_and_errors_keep_their_type(sail_engine: Any) -> None:
    from pyspark.errors import AnalysisException

    from brickyard.local.engine import connect

    assert ";token=" in sail_engine.url and ";token=" not in sail_engine.address
    spark = connect(sail_engine.url, sail_engine.warehouse)
    try:
        assert spark.range(3).count() == 3
        with pytest.raises(AnalysisException):
            spark.sql("SELECT * FROM no_such_table").collect()
    finally:
        spark.stop()


@pytest.mark.parametrize("suffix", ["", "/;token=not-the-token"])
def test_a_connection_without_the_token_is_refused(sail_engine: Any, suffix: str) -> None:
    from pyspark.errors.exceptions.connect import SparkConnectGrpcException
    from pyspark.sql.connect.session import SparkSession

    with pytest.raises(SparkConnectGrpcException, match="UNAUTHENTICATED"):
        session = SparkSession.builder.remote(sail_engine.address + suffix).create()
        try:
            session.range(1).collect()
        finally:
            session.stop()


def test_sail_listens_only_in_a_network_namespace_of_its_own(sail_engine: Any) -> None:
    inner = _children(sail_engine.pid)
    assert len(inner) == 1, "the engine runs Sail in one child process"
    assert os.readlink(f"/proc/{inner[0]}/ns/net") != os.readlink("/proc/self/ns/net")
    arguments = Path(f"/proc/{inner[0]}/cmdline").read_bytes().split(b"\0")
    sock = Path(os.fsdecode(arguments[arguments.index(b"--socket") + 1]))
    assert sock.name == "sail.sock"  # in the home, or in the temp folder when the home's path is long
    assert stat.S_IMODE(sock.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(sock.stat().st_mode) == 0o600


def test_the_engine_has_a_token_of_its_own_never_the_workspace_token(tmp_path: Path) -> None:
    from brickyard.local.engine import Engine

    (tmp_path / "token").write_text("dapi-home-token\n")
    engine = Engine(tmp_path)
    assert engine.token != "dapi-home-token" and len(engine.token) >= 32
    assert Engine(tmp_path).token != engine.token


def test_the_proxy_knows_which_spark_connect_methods_stream() -> None:
    from pyspark.sql.connect.proto import base_pb2_grpc

    from brickyard.local.engine_guard import kind_of

    kinds: dict[str, str] = {}

    class Recorder:
        def __getattr__(self, kind: str) -> Any:
            return lambda method, *args, **kwargs: kinds.setdefault(method, kind)

    base_pb2_grpc.SparkConnectServiceStub(Recorder())
    assert len(kinds) >= 10
    assert {method: kind_of(method) for method in kinds} == kinds
    assert kind_of("/other.Service/Method") is None


# A client holding its session open, in a process of its own: a dead session left active in the
# test process would make pyspark's later error handling retry against it for minutes.
HOLDER = """
import sys, time
from pathlib import Path
from brickyard.local.engine import connect
session = connect(sys.argv[1], Path(sys.argv[2]))
print(session.range(3).count(), flush=True)
time.sleep(600)
"""


def test_the_engine_stops_by_itself_with_a_session_still_open_and_leaves_no_process(tmp_path: Path) -> None:
    from brickyard.local.engine import Engine

    engine = Engine(tmp_path / "engine")
    url = engine.start()
    script = tmp_path / "holder.py"
    script.write_text(HOLDER)
    holder = subprocess.Popen(
        [sys.executable, str(script), url, str(tmp_path / "engine" / "warehouse")],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "SPARK_CONNECT_MODE_ENABLED": "1"},  # as task workers run (pyspark-client)
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "3"  # a live session
        proc = engine._proc
        assert proc is not None
        [sail] = _children(proc.pid)
        engine.stop(timeout=60)
        assert proc.returncode == 0
        log = (tmp_path / "engine" / "engine.log").read_text()
        assert "did not stop" not in log  # Sail stopped when asked
        assert "Traceback" not in log  # the relayed connections were closed in their own loop
        assert not Path(f"/proc/{sail}").exists() or "zombie" in Path(f"/proc/{sail}/status").read_text()
    finally:
        holder.kill()
        holder.wait()


OWNER = """
import sys, time
from pathlib import Path
from brickyard.local.engine import Engine

engine = Engine(Path(sys.argv[1]))
engine.start()
print(engine._proc.pid, flush=True)
time.sleep(600)
"""


def test_an_engine_whose_owner_is_killed_stops_by_itself(tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    script.write_text(OWNER)
    owner = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "engine")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert owner.stdout is not None
        engine_pid = int(owner.stdout.readline())
        [sail] = _children(engine_pid)
    finally:
        owner.kill()
        owner.wait()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(_alive(pid) for pid in (engine_pid, sail)):
        time.sleep(0.1)
    assert not _alive(engine_pid) and not _alive(sail)
    assert "has gone; stopping" in (tmp_path / "engine" / "engine.log").read_text()


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "zombie" not in status.read_text()
    except OSError:
        return False
