"""The worker process the local workspace server starts for an update (`python -m …pipelines.worker`)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from brickyard.pipelines import UpdateOptions, UpdateResult, read_events, register_published
from brickyard.pipelines.worker import PipelineRequest
from tests.pipelines.conftest import Project

pytestmark = pytest.mark.engine


def _request(project: Project, engine: Any, **options: Any) -> tuple[Path, PipelineRequest]:
    request = PipelineRequest(
        spark_remote=engine.url,
        warehouse=str(engine.warehouse),
        spec=project.spec().to_dict(),
        options=UpdateOptions(**options).to_dict(),
        events_file=str(project.root / "run" / "events.jsonl"),
        result_file=str(project.root / "run" / "result.json"),
    )
    path = project.root / "run" / "request.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    request.write(path)
    return path, request


def _worker(path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "brickyard.pipelines.worker", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_worker_runs_an_update_and_writes_events_and_result(project: Project, sail_engine: Any) -> None:
    project.source(
        "p.py",
        """
        import dlt

        @dlt.table
        @dlt.expect_or_drop("even", "id % 2 = 0")
        def evens():
            return spark.range(10)
        """,
    )
    path, request = _request(project, sail_engine, update_id="u-1")

    worker = _worker(path)
    _, stderr = worker.communicate(timeout=120)

    assert worker.returncode == 0, stderr
    result = UpdateResult.from_dict(json.loads(Path(request.result_file).read_text()))
    assert result.state == "COMPLETED" and result.update_id == "u-1"
    assert result.flows["evens"].num_output_rows == 5
    events = read_events(Path(request.events_file))
    assert events[0]["event_type"] == "create_update"
    assert events[-1]["details"]["update_progress"]["state"] == "COMPLETED"
    progress = [
        e for e in events if e["event_type"] == "flow_progress" and e["origin"]["flow_name"] == "evens"
    ]
    assert progress[-1]["details"]["flow_progress"]["data_quality"]["dropped_records"] == 5
    # Sail's catalog is per session: the worker's tables become visible here once registered.
    assert not project.spark.catalog.tableExists(f"main.{project.schema}.evens")
    assert register_published(project.spark, project.storage) == [f"main.{project.schema}.evens"]
    assert project.count("evens") == 5


def test_a_failed_update_exits_1_with_the_error_in_the_result(project: Project, sail_engine: Any) -> None:
    source = project.source(
        "p.py", "import dlt\n\n@dlt.table\ndef broken():\n    return dlt.read('missing')\n"
    )
    path, request = _request(project, sail_engine)

    worker = _worker(path)
    worker.communicate(timeout=120)

    assert worker.returncode == 1
    result = UpdateResult.from_dict(json.loads(Path(request.result_file).read_text()))
    assert result.state == "FAILED"
    assert (result.error_dataset, result.error_file) == ("broken", str(source))


def test_sigterm_cancels_the_update_and_the_worker_exits_promptly(project: Project, sail_engine: Any) -> None:
    marker = project.root / "started"
    project.configuration["marker"] = str(marker)
    project.source(
        "slow.py",
        """
        import time
        from pathlib import Path
        import dlt

        @dlt.table
        def slow():
            Path(spark.conf.get("marker")).touch()
            time.sleep(60)
            return spark.range(1)
        """,
    )
    path, request = _request(project, sail_engine)
    worker = _worker(path)
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), worker.communicate()[1]

    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    worker.communicate(timeout=30)

    assert time.monotonic() - started < 20
    assert worker.returncode == 1
    result = UpdateResult.from_dict(json.loads(Path(request.result_file).read_text()))
    assert result.state == "CANCELED"
    assert read_events(Path(request.events_file))[-1]["details"]["update_progress"]["state"] == "CANCELED"


def test_an_unreadable_request_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "request.json"
    bad.write_text("{not json")

    worker = _worker(bad)
    _, stderr = worker.communicate(timeout=60)

    assert worker.returncode == 2
    assert "cannot read" in stderr
