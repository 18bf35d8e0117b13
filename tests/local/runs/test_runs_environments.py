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
from tests.local.runs.conftest import finish, logs_of

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
    cluster = compute.ClusterSpec(
        spark_version="15.4.x-scala2.12",
        num_workers=0,
        init_scripts=[
            compute.InitScriptInfo(workspace=compute.WorkspaceStorageInfo(destination=f"/Workspace{script}"))
        ],
        spark_env_vars={"BRICKYARD_PIP_ARGS": f"--no-index --find-links {wheels}"},
    )
    return jobs.SubmitTask(
        task_key=key,
        new_cluster=cluster,
        spark_python_task=jobs.SparkPythonTask(python_file=f"/Workspace{scratch}/probe.py"),
    )


def test_a_locked_cluster_runs_its_tasks_in_the_lock_and_reuses_the_environment(
    w: Any, scratch: str, wheel: Path, tmp_path: Path
) -> None:
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
