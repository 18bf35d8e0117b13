"""`brickyard sync`: the bundle's files only, by content hash, once or on every change."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brickyard.cli.main import run
from brickyard.local.lifecycle import ensure_running, stop

pytestmark = pytest.mark.server
FILES = "/Workspace/Users/tester@brickyard.local/.bundle/syncb/local/files"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("sync-bundle-ws")
    (root / "databricks.yml").write_text("bundle:\n  name: ws\n")
    yield root
    stop(root)


@pytest.fixture
def bundle(tmp_path: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "syncb"
    (root / "notebooks").mkdir(parents=True)
    (root / "databricks.yml").write_text(
        "bundle:\n  name: syncb\ninclude: [resources/*.yml]\ntargets:\n  local:\n    default: true\n    mode: development\n"
    )
    (root / "resources").mkdir()
    (root / "resources" / "job.yml").write_text(
        "resources:\n  jobs:\n    hello:\n      name: hello\n      tasks:\n        - task_key: t\n"
        "          notebook_task:\n            notebook_path: ../notebooks/hello.py\n"
    )
    (root / "notebooks" / "hello.py").write_text("# Databricks notebook source\nprint('v1')\n")
    (root / "lib.py").write_text("VALUE = 1\n")
    monkeypatch.chdir(root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(workspace))
    return root


def _client(workspace: Path) -> Any:
    from databricks.sdk import WorkspaceClient

    ws = ensure_running(workspace, write_profile=False)
    return WorkspaceClient(host=ws.host, token=ws.token, auth_type="pat")


def _sync(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    assert run(["sync", *args, "-o", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_sync_uploads_changed_files_only_and_deploy_agrees(
    bundle: Path, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _sync(capsys)
    assert first["uploaded"] == ["databricks.yml", "lib.py", "notebooks/hello.py", "resources/job.yml"]
    assert _sync(capsys)["uploaded"] == []
    (bundle / "lib.py").write_text("VALUE = 2\n")
    assert _sync(capsys, "--dry-run") == {**_sync_shape(), "uploaded": ["lib.py"], "dry_run": True}
    w = _client(workspace)
    with w.workspace.download(f"{FILES}/lib.py") as handle:
        assert handle.read() == b"VALUE = 1\n"  # a dry run writes nothing
    assert _sync(capsys)["uploaded"] == ["lib.py"]
    with w.workspace.download(f"{FILES}/lib.py") as handle:
        assert handle.read() == b"VALUE = 2\n"
    assert _sync(capsys, "--full")["uploaded"] == first["uploaded"]
    (bundle / "lib.py").unlink()
    assert _sync(capsys)["deleted"] == ["lib.py"]
    assert run(["deploy", "--auto-approve", "-o", "json"]) == 0
    deployed = json.loads(capsys.readouterr().out)
    assert deployed["applied"]["files_uploaded"] == 0 and deployed["applied"]["created"] == ["jobs.hello"]


def _sync_shape() -> dict[str, Any]:
    return {"target": "local", "file_path": FILES, "deleted": []}


def test_watch_uploads_an_edit_within_seconds(bundle: Path, workspace: Path) -> None:
    env = {**os.environ, "BRICKYARD_LOCAL_WORKSPACE_DIR": str(workspace)}
    watcher = subprocess.Popen(
        [sys.executable, "-m", "brickyard", "sync", "--watch"],
        cwd=bundle,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    w = _client(workspace)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(watcher.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        # The first pass is over once it says it watches (an earlier test may have left the file).
        _wait(lambda: any(line.startswith("Watching ") for line in list(lines)), watcher)
        (bundle / "notebooks" / "hello.py").write_text("# Databricks notebook source\nprint('v2')\n")
        _wait(lambda: "v2" in (_read(w, f"{FILES}/notebooks/hello") or ""), watcher)
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=30)
        reader.join(timeout=30)
    output = "".join(lines)
    assert watcher.returncode == 0, output  # Ctrl-C ends the watch once the pass under way is done


def _read(w: Any, path: str) -> str | None:
    from databricks.sdk.errors import NotFound

    try:
        return base64.b64decode(w.workspace.export(path).content or "").decode()
    except NotFound:
        return None


def _wait(condition: Any, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline, "not synced in time"
        time.sleep(0.1)
