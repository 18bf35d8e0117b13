"""Deploys that are throttled, fail or are interrupted converge: no stale lock, no lost state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from brickyard.errors import ApplyError
from tests.deploy.conftest import Project
from tests.deploy.test_deploy import PROD, _jobs_of, _project

pytestmark = pytest.mark.server


@pytest.fixture
def faults(client: Any) -> Iterator[Any]:
    def inject(*rules: dict[str, Any]) -> None:
        client.api_client.do("PUT", "/api/2.0/brickyard/faults", body={"rules": list(rules)})

    yield inject
    client.api_client.do("DELETE", "/api/2.0/brickyard/faults")


def _state_path(project: Project) -> str:
    return f"/Workspace/Shared/.bundle/{project.name}/state"


def _exists(client: Any, path: str) -> bool:
    from databricks.sdk.errors import NotFound

    try:
        client.workspace.get_status(path)
    except NotFound:
        return False
    return True


def test_throttled_workspace_imports_are_retried_after_the_wait_asked(
    project: Project, client: Any, faults: Any
) -> None:
    _project(project, PROD)
    faults(
        {"path": "/workspace/import$", "status": 429, "retry_after": 1, "count": 2},
        {"path": "/workspace/import$", "status": 503, "retry_after": 1, "count": 1},
    )
    report = project.deploy()
    hits = client.api_client.do("GET", "/api/2.0/brickyard/faults")["rules"]
    assert [r["hits"] for r in hits] == [2, 1]
    assert sorted(report.created) == ["jobs.greet", "jobs.report"] and report.files_uploaded == 4
    assert not _exists(client, f"{_state_path(project)}/deploy.lock")
    assert _exists(client, f"{_state_path(project)}/brickyard-state.json")


def test_a_failed_deploy_releases_its_lock(project: Project, client: Any, faults: Any) -> None:
    _project(project, PROD)
    faults({"path": "/jobs/create$", "status": 500, "message": "injected outage", "count": 1})
    with pytest.raises(ApplyError, match="injected outage"):
        project.deploy()
    assert not _exists(client, f"{_state_path(project)}/deploy.lock")
    project.deploy()
    assert len(_jobs_of(client, project)) == 2


def _releases(client: Any, project: Project) -> list[int]:
    from brickyard.releases.store import ReleaseStore

    return [r.number for r in ReleaseStore(client, _state_path(project)).index().releases]


def _remote_state(client: Any, project: Project) -> Any:
    from brickyard.state.store import StateStore

    return StateStore(
        client, _state_path(project), project.root / "none", project.name, "local"
    ).read_remote()


def test_a_deploy_whose_state_write_failed_is_finished_by_the_next_one(
    project: Project, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brickyard.state.store import StateStore

    _project(project, PROD)
    write = StateStore.write
    failures = [RuntimeError("injected outage")]

    def failing(self: StateStore, state: Any, remote: bool = True) -> None:
        if remote and failures:
            raise failures.pop()
        write(self, state, remote)

    monkeypatch.setattr(StateStore, "write", failing)
    with pytest.raises(ApplyError, match="injected outage"):
        project.deploy()
    assert _remote_state(client, project) is None and project.state().serial == 1
    assert not _exists(client, f"{_state_path(project)}/deploy.lock")

    ctx = project.context()
    from brickyard.deploy import DeployOptions, deploy_bundle

    report = deploy_bundle(ctx, DeployOptions())
    assert not report.created and report.writes > 0
    said = ctx.output.messages
    assert not [m for m in said if m[0] == "success" and "No changes" in m[1]]
    assert ctx.output.results[-1]["release"] == 1 and ctx.output.results[-1]["state_written"]
    assert _remote_state(client, project).serial == project.state().serial == 1
    assert _releases(client, project) == [1]
    assert not _exists(client, f"{_state_path(project)}/deploy.lock")
    assert project.deploy().writes == 0 and len(_jobs_of(client, project)) == 2


def test_a_release_that_failed_to_record_is_recorded_by_the_next_deploy_without_a_gap(
    project: Project, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brickyard.errors import ReleaseError
    from brickyard.releases.store import ReleaseStore

    _project(project, PROD)
    save = ReleaseStore.save
    failures = [RuntimeError("injected outage")]

    def failing(self: ReleaseStore, *args: Any, **kwargs: Any) -> int:
        if failures:
            raise failures.pop()
        return save(self, *args, **kwargs)

    monkeypatch.setattr(ReleaseStore, "save", failing)
    with pytest.raises(ReleaseError, match="deploy again to record one"):
        project.deploy()
    assert _releases(client, project) == []
    assert project.deploy().writes > 0
    assert _releases(client, project) == [1]
    project.write({"jobs/report.py": "print('report v2')\n"})
    project.deploy()
    assert _releases(client, project) == [1, 2]
    assert project.deploy().writes == 0


def _leave_a_killed_upload(project: Project, client: Any, pid: int) -> str:
    """What a deploy killed while uploading leaves: its lock, some files, no state anywhere."""
    import io
    import json
    import socket

    from databricks.sdk.service.workspace import ImportFormat

    root = f"/Workspace/Shared/.bundle/{project.name}"
    client.workspace.mkdirs(f"{root}/files/jobs")
    client.workspace.mkdirs(_state_path(project))
    client.workspace.upload(f"{root}/files/jobs/report.py", b"print('report')\n", format=ImportFormat.AUTO)
    lock = {"id": "dead", "holder": "tester", "machine": socket.gethostname(), "pid": pid, "acquired_at": "x"}
    client.workspace.upload(
        f"{_state_path(project)}/deploy.lock", io.BytesIO(json.dumps(lock).encode()), format=ImportFormat.AUTO
    )
    return root


def test_destroy_after_a_deploy_killed_while_uploading_removes_its_files_and_lock(
    project: Project, client: Any
) -> None:
    _project(project, PROD)
    root = _leave_a_killed_upload(project, client, pid=2**22 + 12345)
    report = project.destroy(force_lock=True)
    assert f"{root}/files" in report.paths
    assert not _exists(client, f"{root}/files")
    assert not _exists(client, f"{_state_path(project)}/deploy.lock")
    again = project.destroy()
    assert again.paths == [] and again.deleted == []


def test_a_lock_left_by_a_dead_process_on_this_machine_is_stale_and_can_be_taken_over(
    project: Project, client: Any
) -> None:
    import subprocess
    import sys

    from brickyard.errors import DeployLockedError

    _project(project, PROD)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    _leave_a_killed_upload(project, client, pid=dead.pid)
    with pytest.raises(DeployLockedError, match="is stale") as info:
        project.deploy()
    assert f"(process {dead.pid})" in str(info.value) and "--force-lock" in str(info.value)
    asked = project.context(answer=True)
    from brickyard.deploy import DeployOptions, deploy_bundle

    report = deploy_bundle(asked, DeployOptions())
    assert any("no longer running. Take it over?" in q for q in asked.output.questions)
    assert sorted(report.created) == ["jobs.greet", "jobs.report"]
    assert not _exists(client, f"{_state_path(project)}/deploy.lock")


def test_a_lock_held_by_a_live_process_is_not_stale(project: Project, client: Any) -> None:
    import os

    from brickyard.errors import DeployLockedError

    _project(project, PROD)
    _leave_a_killed_upload(project, client, pid=os.getppid())
    with pytest.raises(DeployLockedError, match="is held by") as info:
        project.deploy(answer=True)
    assert not info.value.stale


def test_two_concurrent_development_deploys_leave_one_job_per_key_and_unique_release_numbers(
    project: Project, client: Any
) -> None:
    import threading

    from brickyard.releases.store import ReleaseStore

    _project(project)  # development mode: no deploy lock
    errors: list[BaseException] = []

    def deploy() -> None:
        try:
            project.deploy()
        except Exception as err:  # a loser may see the other's state serial
            errors.append(err)

    threads = [threading.Thread(target=deploy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    project.deploy()
    names = sorted(j.settings.name for j in _jobs_of(client, project))
    assert names == ["[dev tester] greet", "[dev tester] report"], (names, errors)
    state_path = f"/Workspace/Users/tester@brickyard.local/.bundle/{project.name}/local/state"
    numbers = [r.number for r in ReleaseStore(client, state_path).index().releases]
    assert numbers and len(numbers) == len(set(numbers)), numbers
    assert project.deploy().writes == 0


def _poll(condition: Any, seconds: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_deploy_killed_while_uploading_is_finished_by_the_next_one(
    project: Project, client: Any, faults: Any
) -> None:
    import signal
    import subprocess
    import sys
    from pathlib import Path

    _project(project, PROD)
    lock = f"{_state_path(project)}/deploy.lock"
    brickyard = str(Path(sys.executable).with_name("brickyard"))
    env = dict(project.context().environ)

    def uploads() -> int:
        return int(client.api_client.do("GET", "/api/2.0/brickyard/faults")["rules"][0]["hits"])

    faults({"path": "/workspace/import$", "delay": 1.0})  # every upload takes a second: time to kill
    process = subprocess.Popen(
        [brickyard, "deploy", "--auto-approve"],
        cwd=project.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # the lock is written, and at least one file upload after it has begun
        _poll(lambda: (_exists(client, lock) and uploads() >= 2) or process.poll() is not None)
        assert process.poll() is None, "the deploy ended before it could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    faults()
    assert _exists(client, lock)
    report = project.deploy(answer=True)  # the stale lock is taken over when the user agrees
    assert sorted(report.created) == ["jobs.greet", "jobs.report"]
    assert not _exists(client, lock) and _releases(client, project) == [1]
    assert len(_jobs_of(client, project)) == 2 and project.deploy().writes == 0
