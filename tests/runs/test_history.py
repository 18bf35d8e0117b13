"""`brickyard runs`: a target's run history through the real CLI against the real local workspace.

One bundle is deployed and run a few times for the whole module (a quick job three times then once
slowly, a failing job once); the tests read that history back.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from brickyard.local.lifecycle import LocalWorkspace
from brickyard.runs.history import RunRecord, TrendRule, trend
from tests.deploy.conftest import USER, Project
from tests.runs.conftest import NAP, NAP_BUNDLE, results, run_jobs

Cli = Callable[..., tuple[int, str, str]]
SLOW = 2.5


@pytest.fixture(scope="module")
def history_project(
    shared_workspace: tuple[Path, LocalWorkspace], client: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Project]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRICKYARD_LOCAL_USER", USER)
        name = f"h{uuid.uuid4().hex[:8]}"
        project = Project(tmp_path_factory.mktemp("history") / name, name, shared_workspace[0])
        project.write({"databricks.yml": NAP_BUNDLE, "nap.py": NAP, "boom.py": "raise SystemExit('no')\n"})
        project.deploy()
        quick = [("nap", {}), ("nap", {}), ("nap", {}), ("broken", {})]
        ran = run_jobs(client, project, *quick)
        assert results(ran) == ["SUCCESS"] * 3 + ["FAILED"]
        # At least twice the longest quick run, so it is a regression however loaded the machine is.
        slow = max(SLOW, 2 * max(run.run_duration for run in ran) / 1000)
        assert results(run_jobs(client, project, ("nap", {"seconds": str(slow)}))) == ["SUCCESS"]
        yield project


@pytest.fixture
def cli(
    history_project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Cli]:
    from brickyard.cli.main import run

    monkeypatch.chdir(history_project.root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(history_project.workspace_dir))
    monkeypatch.setenv("BRICKYARD_LOCAL_USER", USER)

    def call(*args: str) -> tuple[int, str, str]:
        code = run(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield call


def test_runs_lists_every_run_with_its_state_duration_and_trigger(cli: Cli, client: Any) -> None:
    code, out, _ = cli("runs", "-t", "local", "-o", "json")
    assert code == 0
    doc = json.loads(out)
    naps = [r for r in doc["runs"] if r["job"] == "nap"]
    assert [r["result"] for r in naps] == ["SUCCESS"] * 4
    assert naps[0]["duration_seconds"] >= SLOW  # newest first: the slow one
    for listed in doc["runs"]:  # each as the workspace measured it
        assert listed["duration_seconds"] == client.jobs.get_run(listed["run_id"]).run_duration / 1000
    assert {r["trigger"] for r in naps} == {"ONE_TIME"}
    assert [r["result"] for r in doc["runs"] if r["job"] == "broken"] == ["FAILED"]
    trends = {t["job"]: t for t in doc["jobs"]}
    assert trends["nap"]["success_rate"] == 1.0 and trends["broken"]["success_rate"] == 0.0
    assert trends["nap"]["regression"] is True
    assert trends["nap"]["latest_seconds"] > 1.5 * trends["nap"]["baseline_seconds"]
    assert len(trends["nap"]["last_seconds"]) == 4
    assert "tasks" not in naps[0]


def test_runs_of_one_job_with_tasks_and_a_limit(cli: Cli) -> None:
    code, out, _ = cli("runs", "nap", "--tasks", "--limit", "2", "-o", "json")
    assert code == 0
    doc = json.loads(out)
    assert [t["job"] for t in doc["jobs"]] == ["nap"]
    assert len(doc["runs"]) == 2
    slow = doc["runs"][0]["tasks"]
    assert [t["task_key"] for t in slow] == ["doze"]
    assert slow[0]["result"] == "SUCCESS" and slow[0]["duration_seconds"] >= SLOW


def test_runs_text_flags_the_slower_job(cli: Cli) -> None:
    code, out, _ = cli("runs", "-t", "local")
    assert code == 0
    assert "slower" in out and "FAILED" in out and "nap" in out


def test_runs_of_an_unknown_job_is_an_error(cli: Cli) -> None:
    code, _, err = cli("runs", "nope")
    assert code == 2
    assert "no job or pipeline named nope" in err and "broken, nap" in err


def test_runs_sync_keeps_the_history_in_the_project(cli: Cli, history_project: Project) -> None:
    code, out, _ = cli("runs", "sync", "-o", "json")
    assert code == 0
    assert json.loads(out)["new"] == 5
    code, out, _ = cli("runs", "sync", "-o", "json")
    assert json.loads(out)["new"] == 0
    with sqlite3.connect(history_project.root / ".brickyard/history.db") as conn:
        jobs = conn.execute("SELECT job, count(*) FROM runs GROUP BY job ORDER BY job").fetchall()
    assert jobs == [("broken", 1), ("nap", 4)]


def _run(run_id: int, seconds: float, result: str = "SUCCESS") -> RunRecord:
    start = int(time.time() * 1000) + run_id
    return RunRecord(run_id, 1, "j", "TERMINATED", result, start, seconds, "PERIODIC")


def test_a_regression_needs_enough_earlier_runs_and_a_large_enough_slowdown() -> None:
    rule = TrendRule(window=3, factor=2.0, min_runs=3)
    assert not trend("j", [_run(1, 1.0), _run(2, 1.0), _run(3, 9.0)], rule).regression  # two before
    assert trend("j", [_run(1, 1.0), _run(2, 1.0), _run(3, 1.2), _run(4, 2.5)], rule).regression
    assert not trend("j", [_run(1, 1.0), _run(2, 1.0), _run(3, 1.2), _run(4, 1.9)], rule).regression
    # only the window counts: a slow run long ago does not raise the baseline
    runs = [_run(0, 100.0), *(_run(i, 1.0) for i in range(1, 4)), _run(9, 2.5)]
    summary = trend("j", runs, rule)
    assert summary.baseline_seconds == 1.0 and summary.regression
    failed = trend("j", [_run(1, 1.0), _run(2, 1.0, "FAILED")], rule)
    assert failed.success_rate == 0.5 and failed.median_seconds == 1.0


def test_runs_watch_follows_a_run_to_its_end_as_json_lines(
    cli: Cli, client: Any, history_project: Project
) -> None:
    job_id = history_project.state().resource("jobs", "nap").id
    run_id = client.jobs.run_now(int(job_id), job_parameters={"seconds": "3"}).run_id
    code, out, _ = cli(
        "runs", "watch", "nap", "--until-idle", "--interval", "0.2", "--timeout", "90", "-o", "json"
    )
    assert code == 0
    events = [json.loads(line) for line in out.splitlines()]
    mine = [(e["task_key"], e["state"], e["result"]) for e in events if e["run_id"] == run_id]
    assert (None, "RUNNING", "") in mine
    assert ("doze", "TERMINATED", "SUCCESS") in mine
    assert mine[-1] == (None, "TERMINATED", "SUCCESS")
    assert len(mine) == len(set(mine))  # each state said once
    assert all(e["job"] == "nap" for e in events)
