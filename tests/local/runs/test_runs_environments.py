"""Cluster environments: a cluster that runs brickyard's init script runs its tasks in the lock.

The lock pins a package that exists only as a wheel built here and put in a volume, which the
cluster names as its find-links (`BRICKYARD_PIP_ARGS`, as the init script reads it on Databricks):
the task sees exactly that version, and a second run reuses the environment.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.service import compute, jobs
from databricks.sdk.service.catalog import VolumeType
from databricks.sdk.service.workspace import ImportFormat

from brickyard.deps.initscript import render_init_script
from brickyard.deps.layout import Layout
from tests.local.runs.conftest import by_key, finish, logs_of, wait_for

pytestmark = pytest.mark.engine

PYPROJECT = """
[project]
name = "brickyard-env-probe"
version = "1.2.3"
requires-python = ">=3.10"

[build-system]
requires = ["uv_build>=0.8,<0.14"]
build-backend = "uv_build"
"""
PROBE = (
    "import importlib.metadata, sys\n"
    "import brickyard_env_probe\n"
    "print('probe', importlib.metadata.version('brickyard-env-probe'), brickyard_env_probe.WHERE)\n"
    "print('python', sys.executable)\n"
    "import os\n"
    "parent = open(f'/proc/{os.getppid()}/cmdline', 'rb').read().split(b'\\0')\n"
    "print('parent', parent[0].decode(), parent[2].decode() if len(parent) > 2 else '')\n"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from uv import find_uv_bin

    project = tmp_path_factory.mktemp("probe")
    (project / "pyproject.toml").write_text(PYPROJECT)
    (project / "src/brickyard_env_probe").mkdir(parents=True)
    (project / "src/brickyard_env_probe/__init__.py").write_text("WHERE = 'from the lock'\n")
    dist = project / "dist"
    subprocess.run(
        [find_uv_bin(), "build", "--wheel", "--offline", "--quiet", "-o", str(dist), str(project)],
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(project), "UV_PYTHON": sys.executable},
    )
    [built] = dist.glob("*.whl")
    return built


def init_script(tmp_path: Path, pins: str) -> str:
    """brickyard's own init script for a lock of `pins`, as `brickyard deps init-script` writes it."""
    (tmp_path / "requirements").mkdir(parents=True, exist_ok=True)
    (tmp_path / "requirements/requirements.txt").write_text(pins)
    return render_init_script(Layout(tmp_path, "requirements", ""))


def cluster_task(scratch: str, script: str, wheels: str, key: str = "probe") -> jobs.SubmitTask:
    return jobs.SubmitTask(
        task_key=key,
        new_cluster=locked_cluster(script, wheels),
        spark_python_task=jobs.SparkPythonTask(python_file=f"/Workspace{scratch}/probe.py"),
    )


def locked_cluster(script: str, wheels: str) -> compute.ClusterSpec:
    """A cluster that runs brickyard's init script `script`, finding its wheels in `wheels`."""
    return compute.ClusterSpec(
        spark_version="15.4.x-scala2.12",
        num_workers=0,
        init_scripts=[
            compute.InitScriptInfo(workspace=compute.WorkspaceStorageInfo(destination=f"/Workspace{script}"))
        ],
        spark_env_vars={"BRICKYARD_PIP_ARGS": f"--no-index --find-links {wheels}"},
    )


def put_lock(w: Any, scratch: str, wheel: Path, tmp_path: Path) -> tuple[str, str, str]:
    """A schema whose volume holds `wheel`, and an init script locking it: (schema, script, wheels)."""
    schema = f"env_{uuid.uuid4().hex[:8]}"
    w.schemas.create(name=schema, catalog_name="main")
    w.volumes.create(catalog_name="main", schema_name=schema, name="wheels", volume_type=VolumeType.MANAGED)
    wheels = f"/Volumes/main/{schema}/wheels"
    w.files.upload(f"{wheels}/{wheel.name}", io.BytesIO(wheel.read_bytes()))
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    script = f"{scratch}/init/enforce-requirements.sh"
    w.workspace.mkdirs(f"{scratch}/init")
    text = init_script(tmp_path, f"brickyard-env-probe==1.2.3 \\\n    --hash=sha256:{digest}\n")
    w.workspace.upload(script, io.BytesIO(text.encode()), format=ImportFormat.AUTO, overwrite=True)
    return schema, script, wheels


def test_a_locked_cluster_runs_its_tasks_in_the_lock_and_reuses_the_environment(
    w: Any, scratch: str, wheel: Path, tmp_path: Path
) -> None:
    _, script, wheels = put_lock(w, scratch, wheel, tmp_path)
    w.workspace.upload(f"{scratch}/probe.py", io.BytesIO(PROBE.encode()), format=ImportFormat.AUTO)

    first = w.jobs.submit(run_name="locked", tasks=[cluster_task(scratch, script, wheels)]).run_id
    assert finish(w, first).state.result_state.value == "SUCCESS", logs_of(w, first)
    logs = logs_of(w, first)
    assert "probe 1.2.3 from the lock" in logs
    assert "1 pin(s) to install (brickyard-env-probe==1.2.3)" in logs and "(built in" in logs
    environment = logs.split("python ", 1)[1].split()[0]
    assert environment != sys.executable

    second = w.jobs.submit(run_name="locked-again", tasks=[cluster_task(scratch, script, wheels)]).run_id
    assert finish(w, second).state.result_state.value == "SUCCESS"
    again = logs_of(w, second)
    assert "(reused)" in again and f"python {environment}" in again
    # forked from a fork server started in that environment, not started cold
    assert f"parent {environment} brickyard.local.runs.zygote" in again


def test_a_locked_package_that_is_not_available_offline_fails_the_task_naming_it(
    w: Any, scratch: str, tmp_path: Path
) -> None:
    script = f"{scratch}/init/enforce-requirements.sh"
    w.workspace.mkdirs(f"{scratch}/init")
    text = init_script(tmp_path, "brickyard-env-missing==9.9.9 \\\n    --hash=sha256:" + "0" * 64 + "\n")
    w.workspace.upload(script, io.BytesIO(text.encode()), format=ImportFormat.AUTO, overwrite=True)
    w.workspace.upload(f"{scratch}/probe.py", io.BytesIO(PROBE.encode()), format=ImportFormat.AUTO)

    run_id = w.jobs.submit(run_name="missing", tasks=[cluster_task(scratch, script, str(tmp_path))]).run_id
    run = finish(w, run_id)

    task = run.tasks[0]
    assert task.state.result_state.value == "FAILED"
    assert task.status.termination_details.code.value == "LIBRARY_INSTALLATION_ERROR"
    error = w.jobs.get_run_output(task.run_id).error
    assert "brickyard-env-missing" in error and "offline" in error and "BRICKYARD_FIND_LINKS" in error


def test_an_init_script_missing_from_the_workspace_fails_the_task(w: Any, scratch: str) -> None:
    w.workspace.upload(f"{scratch}/probe.py", io.BytesIO(PROBE.encode()), format=ImportFormat.AUTO)
    task = cluster_task(scratch, f"{scratch}/init/absent.sh", "/tmp")
    run = finish(w, w.jobs.submit(run_name="no-script", tasks=[task]).run_id)
    assert run.tasks[0].state.result_state.value == "FAILED"
    assert "absent.sh failed: the file does not exist" in w.jobs.get_run_output(run.tasks[0].run_id).error


def _dbt_fork_servers(home: Path) -> set[str]:
    """The Python of every dbt fork server running in a cluster environment of the workspace whose
    project is `home` (another test session on the machine has its own)."""
    found = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue  # ended meanwhile
        python = argv[0].decode(errors="replace")
        if (
            b"brickyard.local.tasks.dbt_warm" in argv
            and "/environments/" in python
            and python.startswith(f"{home.resolve()}/")
        ):
            found.add(python)
    return found


def test_a_dbt_task_finds_its_fork_server_started_while_the_tasks_before_it_ran(
    w: Any, scratch: str, scripts: str, wheel: Path, tmp_path: Path, project: Path
) -> None:
    schema, script, wheels = put_lock(w, scratch, wheel, tmp_path)
    dbt_dir = f"{scratch}/marts"
    w.workspace.mkdirs(f"{dbt_dir}/models")
    for name, text in {
        "dbt_project.yml": "name: marts\nversion: '1.0'\nprofile: marts\n",
        "models/one.sql": "select 1 as x",
    }.items():
        w.workspace.upload(f"{dbt_dir}/{name}", io.BytesIO(text.encode()), format=ImportFormat.AUTO)
    started, release = tmp_path / "started", tmp_path / "release"
    first = jobs.SubmitTask(
        task_key="land",
        spark_python_task=jobs.SparkPythonTask(
            python_file=f"{scripts}/meet.py", parameters=[str(started), str(release)]
        ),
    )
    marts = jobs.SubmitTask(
        task_key="marts",
        depends_on=[jobs.TaskDependency(task_key="land")],
        new_cluster=locked_cluster(script, wheels),
        dbt_task=jobs.DbtTask(
            commands=["dbt run"], project_directory=f"/Workspace{dbt_dir}", schema=schema, catalog="main"
        ),
    )
    before = _dbt_fork_servers(project)

    run_id = w.jobs.submit(run_name="dbt-ahead", tasks=[first, marts]).run_id
    wait_for(started.exists, timeout=120)
    # While the first task still runs, the dbt task's environment is built and its fork server started.
    wait_for(lambda: bool(_dbt_fork_servers(project) - before), timeout=120)
    [python] = _dbt_fork_servers(project) - before
    release.touch()
    run = finish(w, run_id, timeout=300)

    task = by_key(run)["marts"]
    logs = w.jobs.get_run_output(task.run_id).logs or ""
    assert task.state.result_state.value == "SUCCESS", logs
    environment = python.split("/environments/")[1].split("/")[0]
    assert f"cluster environment {environment} (reused)" in logs
    assert "imported by the dbt worker's fork server" in logs
