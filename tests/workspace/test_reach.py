"""An unreachable workspace host fails in seconds, names the host and points at --local."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from brickyard.cli.main import run as cli
from brickyard.errors import WorkspaceError
from brickyard.workspace.reach import check_reachable


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port whose accept queue is full: the kernel drops new connection attempts, as a firewall would."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = int(server.getsockname()[1])
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            yield port


def test_a_refused_connection_fails_the_deploy_at_once(
    closed_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    host = f"http://127.0.0.1:{closed_port}"
    (tmp_path / "databricks.yml").write_text(
        f"bundle: {{name: far}}\ntargets:\n  prod:\n    workspace:\n      host: {host}\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-not-used")
    started = time.monotonic()
    assert cli(["deploy", "-t", "prod"]) == 1
    # ~1.5 s on an idle machine; the bound leaves room for a loaded CI box and is still far below
    # the SDK's own retry budget (300 s) that a refused connection used to wait out.
    assert time.monotonic() - started < 60
    err = capsys.readouterr().err
    assert f"cannot reach the workspace {host}: the connection was refused" in err
    assert "--local" in err and "Traceback" not in err


def test_a_host_that_never_answers_gives_up_after_the_probe(silent_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(WorkspaceError, match=r"cannot reach the workspace https://127\.0\.0\.1:\d+: "):
        check_reachable(f"https://127.0.0.1:{silent_port}", {}, timeout=1)
    assert time.monotonic() - started < 3


def test_a_reachable_host_passes_and_a_proxy_skips_the_probe(closed_port: int) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        check_reachable(f"127.0.0.1:{server.getsockname()[1]}", {})  # no scheme: https, like the SDK
    check_reachable(f"https://127.0.0.1:{closed_port}", {"HTTPS_PROXY": "http://proxy.internal:3128"})
