"""`brickyard local up|down|status|reset` and `ensure_running`: real server processes, per test."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from brickyard.cli.main import run
from brickyard.errors import LocalWorkspaceError
from brickyard.local.databrickscfg import read_profile
from brickyard.local.lifecycle import ensure_running, reset, status, stop
from brickyard.local.procs import is_our_process

pytestmark = pytest.mark.server


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "databricks.yml").write_text("bundle:\n  name: life\n")
    monkeypatch.chdir(root / "src")
    monkeypatch.setenv("BRICKYARD_LOCAL_PRESTART", "0")
    yield root
    stop(root)


def test_cli_up_status_down_reset(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (Path.home() / ".databrickscfg").write_text("[prod]\nhost = https://p\ntoken = keep-me\n")
    assert run(["local", "up", "-o", "json"]) == 0
    up = json.loads(capsys.readouterr().out)
    home = project / ".brickyard" / "local"
    assert up["home"] == str(home) and up["host"] == f"http://127.0.0.1:{up['port']}"
    token_file = home / "token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert read_profile() == {"host": up["host"], "token": token_file.read_text().strip()}
    assert read_profile(profile="prod") == {"host": "https://p", "token": "keep-me"}
    from databricks.sdk import WorkspaceClient

    assert WorkspaceClient(profile="brickyard-local").current_user.me().user_name == "tester@brickyard.local"
    assert run(["local", "status", "-o", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["running"] and shown["pid"] == up["pid"] and shown["port"] == up["port"]
    assert shown["uptime_seconds"] >= 0 and not shown["engine_running"]
    assert shown["host"] == up["host"] and shown["token"] == token_file.read_text().strip()
    assert shown["https_host"] == up["https_host"] != up["host"]
    assert shown["https_host"].startswith("https://127.0.0.1:")
    assert shown["ca_file"] == up["ca_file"] == str(home / "tls" / "ca.pem")
    assert "sql_http_path" in shown
    assert run(["local", "down"]) == 0
    capsys.readouterr()
    assert run(["local", "status", "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["running"] is False
    assert run(["local", "reset"]) == 2
    assert run(["local", "reset", "--auto-approve"]) == 0
    assert not home.exists()
    assert read_profile() == {} and read_profile(profile="prod")["token"] == "keep-me"


def test_ensure_running_is_idempotent_across_threads_and_processes(project: Path) -> None:
    script = "import sys; from pathlib import Path; from brickyard.local.lifecycle import ensure_running;"
    script += " print(ensure_running(Path(sys.argv[1]), write_profile=False).pid)"
    other = subprocess.Popen([sys.executable, "-c", script, str(project)], stdout=subprocess.PIPE, text=True)
    with ThreadPoolExecutor(3) as pool:
        found = list(pool.map(lambda _: ensure_running(project, write_profile=False), range(3)))
    assert other.wait(60) == 0
    pids = {ws.pid for ws in found} | {int(other.stdout.read())}  # type: ignore[union-attr]
    assert len(pids) == 1
    assert ensure_running(project, write_profile=False).pid in pids


def test_everything_survives_a_restart_on_the_same_address(project: Path) -> None:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.service import jobs

    first = ensure_running(project, write_profile=False)
    w = WorkspaceClient(host=first.host, token=first.token, auth_type="pat")
    w.secrets.create_scope("kept")
    w.dbfs.put("/kept/file", contents="aGk=")
    w.workspace.mkdirs("/Shared/kept")
    task = jobs.Task(
        task_key="t", condition_task=jobs.ConditionTask(left="1", op=jobs.ConditionTaskOp.EQUAL_TO, right="1")
    )
    job_id = w.jobs.create(name="kept", tasks=[task]).job_id
    run_id = w.jobs.run_now(job_id).result().run_id
    folder_id = w.workspace.get_status("/Shared/kept").object_id
    assert stop(project)
    assert not status(project).running
    second = ensure_running(project, write_profile=False)
    assert (second.port, second.token) != (None, None) and second.pid != first.pid
    assert (second.port, second.token) == (first.port, first.token)
    assert (second.https_host, second.ca_file) == (first.https_host, first.ca_file)
    assert [s.name for s in w.secrets.list_scopes()] == ["kept"]
    assert w.dbfs.read("/kept/file").data == "aGk="
    assert w.workspace.get_status("/Shared/kept").object_id == folder_id
    assert w.jobs.get(job_id).settings.name == "kept"
    assert w.jobs.get_run(run_id).state.result_state == jobs.RunResultState.SUCCESS


SCRIPT = b"""import sys, time
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
if sys.argv[1] == "sleep":
    print("up", flush=True)
    time.sleep(120)
else:
    print(spark.sql(sys.argv[1]).collect())
"""


@pytest.mark.engine
def test_tables_survive_a_killed_server_whose_run_ends_as_internal_error(project: Path) -> None:
    import io

    from databricks.sdk import WorkspaceClient
    from databricks.sdk.errors import OperationFailed
    from databricks.sdk.service import jobs

    from brickyard.local.procs import is_worker_process

    def submit(arg: str) -> int:
        task = jobs.SubmitTask(
            task_key="t",
            spark_python_task=jobs.SparkPythonTask(python_file="/Workspace/Shared/s.py", parameters=[arg]),
        )
        return int(w.jobs.submit(run_name=arg[:20], tasks=[task]).run_id)

    def output(run_id: int) -> str:
        tasks = w.jobs.get_run(run_id).tasks
        return (w.jobs.get_run_output(tasks[0].run_id).logs or "") if tasks else ""

    first = ensure_running(project, write_profile=False)
    w = WorkspaceClient(host=first.host, token=first.token, auth_type="pat")
    w.workspace.upload("/Shared/s.py", io.BytesIO(SCRIPT))
    created = w.jobs.wait_get_run_job_terminated_or_skipped(
        submit("CREATE TABLE main.default.kept AS SELECT 7 AS v")
    )
    assert created.state.result_state == jobs.RunResultState.SUCCESS, output(created.run_id)
    run_id = submit("sleep")
    deadline = time.monotonic() + 60
    while "up" not in output(run_id):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    task_run_id = w.jobs.get_run(run_id).tasks[0].run_id
    worker_pid = int((first.home / "runs" / str(run_id) / str(task_run_id) / "worker.pid").read_text())
    assert is_worker_process(worker_pid)
    workers = _workers_of(first.pid)
    assert workers  # the fork server, and the task it forked
    os.kill(first.pid, signal.SIGKILL)
    deadline = time.monotonic() + 30  # no restart needed: the workers die with the server
    while [pid for pid in [worker_pid, *workers] if is_worker_process(pid)]:
        assert time.monotonic() < deadline, "workers outlived their server"
        time.sleep(0.05)
    ensure_running(project, write_profile=False)
    with pytest.raises(OperationFailed, match="stopped while this run was in progress"):
        w.jobs.wait_get_run_job_terminated_or_skipped(run_id)
    state = w.jobs.get_run(run_id).state
    assert (state.life_cycle_state.value, state.result_state.value) == ("INTERNAL_ERROR", "FAILED")
    read = submit("SELECT v FROM main.default.kept")
    assert (
        w.jobs.wait_get_run_job_terminated_or_skipped(read).state.result_state == jobs.RunResultState.SUCCESS
    )
    assert "v=7" in output(read)


def _workers_of(server_pid: int) -> list[int]:
    """The worker processes (fork server, cold workers) whose parent is the server."""
    from brickyard.local.procs import is_worker_process

    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == server_pid and is_worker_process(int(entry.name)):
                found.append(int(entry.name))
    return found


def test_a_busy_port_is_reported(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(LocalWorkspaceError, match=f"cannot listen on 127.0.0.1:{port}"):
            ensure_running(project, port=port, write_profile=False)


def test_reset_without_a_server_just_wipes(project: Path) -> None:
    ensure_running(project, write_profile=False)
    reset(project)
    assert not (project / ".brickyard" / "local").exists()
    assert not status(project).running


def test_fault_rules_from_a_file_at_start_and_for_a_running_server(project: Path, tmp_path: Path) -> None:
    import urllib.error
    import urllib.request

    rules = tmp_path / "faults.json"
    rules.write_text(json.dumps({"rules": [{"path": "scim/v2/Me$", "status": 429, "retry_after": 1}]}))
    workspace = ensure_running(project, write_profile=False, faults=rules)
    me = urllib.request.Request(
        f"{workspace.host}/api/2.0/preview/scim/v2/Me", headers={"Authorization": f"Bearer {workspace.token}"}
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(me)
    assert (raised.value.code, raised.value.headers["Retry-After"]) == (429, "1")
    rules.write_text(json.dumps([{"path": "jobs/list$", "status": 503}]))
    assert ensure_running(project, write_profile=False, faults=rules).pid == workspace.pid
    with urllib.request.urlopen(me) as response:
        assert json.loads(response.read())["userName"]


def test_a_server_whose_home_is_deleted_stops_by_itself(project: Path) -> None:
    import shutil

    workspace = ensure_running(project, write_profile=False)
    shutil.rmtree(workspace.home)
    deadline = time.monotonic() + 15
    while is_our_process(workspace.pid, "brickyard.local.server") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not is_our_process(workspace.pid, "brickyard.local.server")


def _servers_of(home: Path) -> list[int]:
    """Every server process of this home, whoever started it."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"brickyard.local.server" in args and str(home).encode() in args:
                found.append(int(entry.name))
    return found


def test_a_slow_or_failing_status_check_never_starts_a_second_server(project: Path, tmp_path: Path) -> None:
    rules = tmp_path / "faults.json"
    rules.write_text(json.dumps([{"path": "brickyard/status$", "delay": 4}]))
    first = ensure_running(project, write_profile=False)
    home = first.home
    slow = ensure_running(project, write_profile=False, faults=rules)  # answers, then slows down
    assert slow.pid == first.pid

    again = ensure_running(project, write_profile=False)  # its first check times out after 3 s
    assert again.pid == first.pid and _servers_of(home) == [first.pid]

    urllib_put_faults(first, [{"path": "brickyard/status$", "status": 503}])
    with pytest.raises(LocalWorkspaceError, match=f"process {first.pid}.*did not answer its status check"):
        ensure_running(project, write_profile=False, timeout=2)
    assert _servers_of(home) == [first.pid]
    shown = status(project)
    assert (shown.running, shown.responding, shown.pid) == (True, False, first.pid)
    assert stop(project)
    assert _servers_of(home) == []


def urllib_put_faults(workspace: Any, rules: list[dict[str, Any]]) -> None:
    import urllib.request

    request = urllib.request.Request(
        f"{workspace.host}/api/2.0/brickyard/faults",
        data=json.dumps({"rules": rules}).encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {workspace.token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def test_a_second_server_of_the_same_home_refuses_to_start(project: Path) -> None:
    first = ensure_running(project, write_profile=False)
    second = subprocess.run(
        [sys.executable, "-m", "brickyard.local.server", "--home", str(first.home), "--no-prestart"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode == 1
    assert f"a local workspace server already runs for {first.home} (process {first.pid}" in second.stderr
    assert _servers_of(first.home) == [first.pid]
    assert status(project).pid == first.pid


def test_local_commands_honour_the_shared_workspace_dir(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(shared))
    try:
        assert run(["local", "up", "-o", "json"]) == 0
        up = json.loads(capsys.readouterr().out)
        assert up["home"] == str(shared / ".brickyard" / "local")
        assert not (project / ".brickyard").exists()
        assert run(["local", "status", "-o", "json"]) == 0
        assert json.loads(capsys.readouterr().out)["pid"] == up["pid"]
        assert run(["local", "down", "-o", "json"]) == 0
        assert json.loads(capsys.readouterr().out)["stopped"] is True
        assert not status(shared).running
    finally:
        stop(shared)
