"""The rollback drill end to end on the local workspace: deploy, roll back, smoke, roll forward, smoke."""

from __future__ import annotations

import json
from typing import Any

import pytest

from brickyard.errors import DrillFailedError, ReleaseError, UsageError
from brickyard.releases.drill import DrillOptions, rollback_drill
from brickyard.releases.store import ReleaseStore
from tests.deploy.conftest import Project

BUNDLE = """
bundle:
  name: NAME
targets:
  sandbox:
    default: true
    mode: production
    workspace: {root_path: /Workspace/Shared/.bundle/NAME/sandbox}
resources:
  jobs:
    etl:
      name: NAME etl
      tasks:
        - task_key: load
          spark_python_task: {python_file: ./etl.py}
    smoke_test:
      name: NAME smoke
      tasks:
        - task_key: check
          spark_python_task: {python_file: ./smoke.py}
"""
PASSING = "print('smoke ok')\n"
FAILING = "raise SystemExit('smoke: the orders table is empty')\n"


def _release(project: Project, n: int, smoke: str = PASSING) -> None:
    project.write({"databricks.yml": BUNDLE, "etl.py": f"print('etl v{n}')\n", "smoke.py": smoke})


def _kinds(project: Project, client: Any) -> list[tuple[int, str, int]]:
    store = ReleaseStore(client, f"/Workspace/Shared/.bundle/{project.name}/sandbox/state")
    return [(r.number, r.kind, r.content_of) for r in store.index().releases]


def _etl(project: Project, client: Any) -> str:
    with client.workspace.download(
        f"/Workspace/Shared/.bundle/{project.name}/sandbox/files/etl.py"
    ) as handle:
        return str(handle.read().decode())


def test_a_drill_rolls_back_smokes_rolls_forward_and_smokes_again(project: Project, client: Any) -> None:
    _release(project, 1)
    project.deploy()
    _release(project, 2)
    drill = rollback_drill(project.context(), DrillOptions())
    assert drill.smoke_job == "smoke_test" and drill.failed is None
    steps = [(s.name, s.result, s.release, s.recorded) for s in drill.steps]
    assert steps == [
        ("deploy the current checkout", "ok", 2, 2),
        ("roll back to release 1", "ok", 1, 3),
        ("smoke test smoke_test on release 1", "ok", 1, None),
        ("roll forward to release 2", "ok", 2, 4),
        ("smoke test smoke_test on release 2", "ok", 2, None),
    ]
    assert all(s.seconds > 0 for s in drill.steps)
    assert _kinds(project, client) == [
        (1, "deploy", 1),
        (2, "deploy", 2),
        (3, "rollback", 1),
        (4, "rollback", 2),
    ]
    assert _etl(project, client) == "print('etl v2')\n"  # left on the release it deployed
    assert project.deploy().writes == 0


def test_a_failing_smoke_run_fails_the_drill_by_name_and_still_rolls_forward(
    project: Project, client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from brickyard.cli.main import run

    _release(project, 1, smoke=FAILING)  # the previous release is broken: a rollback would not save anyone
    project.deploy()
    _release(project, 2)
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))
    assert run(["rollback-drill", "-t", "sandbox", "-o", "json"]) == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["succeeded"] is False
    assert [(s["step"], s["result"]) for s in doc["steps"]] == [
        ("deploy the current checkout", "ok"),
        ("roll back to release 1", "ok"),
        ("smoke test smoke_test on release 1", "failed"),
        ("roll forward to release 2", "ok"),
        ("smoke test smoke_test on release 2", "ok"),
    ]
    assert (
        "Error: rollback drill on sandbox failed at step 'smoke test smoke_test on release 1'" in captured.err
    )
    assert "the orders table is empty" in doc["steps"][2]["message"]
    assert _etl(project, client) == "print('etl v2')\n"


def test_a_failed_rollback_skips_its_smoke_test_and_rolls_forward(project: Project, client: Any) -> None:
    _release(project, 1)
    project.deploy()
    _release(project, 2)
    report_job = "    report:\n      name: NAME report\n      tasks:\n        - task_key: r\n          spark_python_task: {python_file: ./etl.py}\n"
    project.write({"databricks.yml": BUNDLE + report_job})  # release 2 adds a job: rolling back deletes it
    fault = {
        "path": "/jobs/delete$",
        "method": "POST",
        "status": 500,
        "message": "injected outage",
        "count": 1,
    }
    client.api_client.do("PUT", "/api/2.0/brickyard/faults", body={"rules": [fault]})
    ctx = project.context()
    try:
        with pytest.raises(
            DrillFailedError, match=r"failed at step 'roll back to release 1'.*injected outage"
        ) as info:
            rollback_drill(ctx, DrillOptions(smoke_job="smoke_test"))
    finally:
        client.api_client.do("DELETE", "/api/2.0/brickyard/faults")
    assert info.value.step == "roll back to release 1"
    steps = [(s["step"], s["result"]) for s in ctx.output.results[-1]["steps"]]  # type: ignore[attr-defined]
    assert steps[1:] == [
        ("roll back to release 1", "failed"),
        ("smoke test smoke_test on release 1", "skipped"),
        ("roll forward to release 2", "ok"),
        ("smoke test smoke_test on release 2", "ok"),
    ]
    assert _etl(project, client) == "print('etl v2')\n"
    assert _kinds(project, client)[-1] == (3, "rollback", 2)  # the roll forward recorded, nothing else


def test_the_drill_needs_an_earlier_release_and_one_smoke_job(project: Project, client: Any) -> None:
    _release(project, 1)
    with pytest.raises(ReleaseError, match=r"no releases yet, so there is nothing to roll back to"):
        rollback_drill(project.context(), DrillOptions())
    project.deploy()
    with pytest.raises(
        ReleaseError, match=r"release 1 is the first release of sandbox: the drill needs an earlier"
    ):
        rollback_drill(project.context(), DrillOptions())
    with pytest.raises(UsageError, match=r"--smoke-job nope: the bundle has no such job"):
        rollback_drill(project.context(), DrillOptions(smoke_job="nope"))
    second = "    smoke_b:\n      name: NAME smoke b\n      tasks:\n        - task_key: check\n          spark_python_task: {python_file: ./smoke.py}\n"
    project.write({"databricks.yml": BUNDLE.replace("smoke_test:", "smoke_a:") + second})
    with pytest.raises(UsageError, match=r"several jobs look like the smoke job \(smoke_a, smoke_b\)"):
        rollback_drill(project.context(), DrillOptions())
    project.write({"databricks.yml": BUNDLE.replace("smoke_test:", "check:")})
    with pytest.raises(UsageError, match=r"no job whose key contains 'smoke'"):
        rollback_drill(project.context(), DrillOptions())
