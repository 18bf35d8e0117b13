"""The worker process and its handshake with the server: cold and warm starts, exit status, log
file, timeouts and cancellation."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from brickyard.local.protocol import TaskResult
from tests.local.tasks.task_harness import TaskWorkspace, notebook


@pytest.fixture
def workspace(tmp_path: Path, sail_engine: object) -> TaskWorkspace:
    return TaskWorkspace(tmp_path, sail_engine.url, sail_engine.warehouse)  # type: ignore[attr-defined]


def _request_file(workspace: TaskWorkspace, code: str, **overrides: object) -> tuple[Path, Path]:
    workspace.write("/Users/me/nb", notebook(*code.split("\n---\n")))
    request = workspace.request(
        {"task_key": "t", "notebook_task": {"notebook_path": "/Users/me/nb"}}, **overrides
    )
    path = workspace.root / "request.json"
    path.write_text(request.to_json())
    return path, Path(request.result_file)


def _worker(*args: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "brickyard.local.worker", *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.engine
def test_a_warm_worker_runs_the_request_named_on_stdin_and_logs_to_its_file(workspace: TaskWorkspace) -> None:
    log = workspace.root / "task.log"
    request, result = _request_file(
        workspace, "print('warm hello')\n---\ndbutils.notebook.exit('ok')", log_file=str(log)
    )
    worker = _worker("--warm", stdin=subprocess.PIPE)

    started = time.monotonic()
    stdout, stderr = worker.communicate(f"{request}\n", timeout=120)

    assert worker.returncode == 0, stderr
    assert TaskResult.read(result).notebook_result == "ok"
    assert "warm hello" in log.read_text()
    assert "warm hello" not in stdout
    assert time.monotonic() - started < 60


def test_a_warm_worker_without_a_request_exits_cleanly() -> None:
    worker = _worker("--warm", stdin=subprocess.PIPE)
    _, stderr = worker.communicate("", timeout=120)

    assert worker.returncode == 0
    assert "Traceback" not in stderr


def test_an_unreadable_request_exits_2_without_a_result(tmp_path: Path) -> None:
    bad = tmp_path / "request.json"
    bad.write_text("{not json")

    worker = _worker(str(bad))
    _, stderr = worker.communicate(timeout=60)

    assert worker.returncode == 2
    assert f"Error: cannot read the task request {bad}" in stderr


@pytest.mark.engine
def test_a_task_past_its_timeout_is_reported_timedout(workspace: TaskWorkspace) -> None:
    # The limit starts with the worker, so it also covers importing pyspark and opening the session.
    request, result = _request_file(
        workspace,
        "import time\ntry:\n    time.sleep(600)\nexcept Exception:\n    print('a timeout is not an Exception')",
        timeout_seconds=5,
    )

    started = time.monotonic()
    worker = _worker(str(request))
    stdout, _ = worker.communicate(timeout=180)

    assert worker.returncode == 1
    assert time.monotonic() - started < 120  # far less than the task's sleep, even on a busy machine
    outcome = TaskResult.read(result)
    assert (outcome.state, outcome.error) == ("TIMEDOUT", "the task timed out after 5 seconds")
    assert "not an Exception" not in stdout


@pytest.mark.engine
def test_sigterm_cancels_the_task_and_stops_its_session(workspace: TaskWorkspace) -> None:
    request, result = _request_file(workspace, "print('running', flush=True)\nimport time\ntime.sleep(60)")
    worker = _worker(str(request))
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "running"

    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=30)

    assert worker.returncode == 1
    outcome = TaskResult.read(result)
    assert (outcome.state, outcome.error) == ("CANCELED", "the run was canceled")
