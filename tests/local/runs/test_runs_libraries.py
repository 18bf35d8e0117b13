"""PyPI libraries install at run time, as a cluster installs them: uv with the package index as
configured (here a find-links folder in uv's own config file, since tests never leave the machine),
wheels with their own dependencies, serverless environments with `-r` files, and a cache."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.service import compute, jobs
from databricks.sdk.service.workspace import ImportFormat

from tests.deps.wheels import make_wheel
from tests.local.runs.conftest import finish

pytestmark = [pytest.mark.server, pytest.mark.engine]

SHOW = (
    "import importlib.metadata as m\n"
    "for name in ('brickyard-probe-pypi', 'brickyard-probe-app', 'brickyard-probe-dep', 'brickyard-probe-req'):\n"
    "    try:\n"
    "        print('has', name, m.version(name))\n"
    "    except m.PackageNotFoundError:\n"
    "        print('lacks', name)\n"
)


@pytest.fixture(scope="module")
def index(session_env: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of wheels that uv, configured by the user's uv.toml, treats as a package source."""
    links = tmp_path_factory.mktemp("links")
    make_wheel(links, "brickyard-probe-pypi", "3.0")
    make_wheel(links, "brickyard-probe-dep", "1.5")
    make_wheel(links, "brickyard-probe-req", "0.7")
    config = session_env / ".config" / "uv"
    config.mkdir(parents=True, exist_ok=True)
    (config / "uv.toml").write_text(f'find-links = ["{links}"]\n')
    return links


def test_pypi_libraries_wheel_dependencies_and_environments_install_at_run_time(
    w: Any, scratch: str, index: Path, tmp_path: Path
) -> None:
    app = make_wheel(tmp_path / "dist", "brickyard-probe-app", "2.0", requires=["brickyard-probe-dep>=1.0"])
    w.workspace.upload(f"{scratch}/show.py", io.BytesIO(SHOW.encode()), format=ImportFormat.AUTO)
    w.workspace.mkdirs(f"{scratch}/dist")
    w.workspace.upload(f"{scratch}/dist/{app.name}", io.BytesIO(app.read_bytes()), format=ImportFormat.AUTO)
    w.workspace.upload(
        f"{scratch}/requirements.txt", io.BytesIO(b"brickyard-probe-req==0.7\n"), format=ImportFormat.AUTO
    )
    project = b'[project]\nname = "shop"\nversion = "0.1"\ndependencies = ["brickyard-probe-dep==1.5"]\n'
    w.workspace.upload(f"{scratch}/pyproject.toml", io.BytesIO(project), format=ImportFormat.AUTO)
    show = jobs.SparkPythonTask(python_file=f"/Workspace{scratch}/show.py")
    job = w.jobs.create(
        name="libraries",
        environments=[
            jobs.JobEnvironment(
                environment_key="serverless",
                spec=compute.Environment(
                    client="2",
                    dependencies=[
                        f"-r /Workspace{scratch}/requirements.txt",
                        f"/Workspace{scratch}/dist/*.whl",
                    ],
                ),
            ),
            jobs.JobEnvironment(
                environment_key="project",
                spec=compute.Environment(
                    client="2", project_environment=f"/Workspace{scratch}/pyproject.toml"
                ),
            ),
        ],
        tasks=[
            jobs.Task(
                task_key="classic",
                spark_python_task=show,
                libraries=[
                    compute.Library(pypi=compute.PythonPyPiLibrary(package="brickyard-probe-pypi==3.0"))
                ],
            ),
            jobs.Task(task_key="serverless", spark_python_task=show, environment_key="serverless"),
            jobs.Task(task_key="project", spark_python_task=show, environment_key="project"),
        ],
    )

    run = finish(w, w.jobs.run_now(job.job_id).run_id, timeout=180)

    logs = {t.task_key: w.jobs.get_run_output(t.run_id).logs for t in run.tasks}
    assert run.state.result_state == jobs.RunResultState.SUCCESS, logs
    assert "has brickyard-probe-pypi 3.0" in logs["classic"] and "(built in" in logs["classic"]
    assert "has brickyard-probe-app 2.0" in logs["serverless"]
    assert "has brickyard-probe-dep 1.5" in logs["serverless"]  # the wheel's own dependency
    assert "has brickyard-probe-req 0.7" in logs["serverless"]
    # an environment described by a project file installs the project's dependencies
    assert "has brickyard-probe-dep 1.5" in logs["project"] and "lacks brickyard-probe-req" in logs["project"]

    again = finish(w, w.jobs.run_now(job.job_id).run_id, timeout=180)
    classic = next(t for t in again.tasks if t.task_key == "classic")
    assert "(reused)" in w.jobs.get_run_output(classic.run_id).logs


def test_a_library_on_no_index_fails_the_task_naming_it(w: Any, scratch: str, index: Path) -> None:
    w.workspace.upload(f"{scratch}/show.py", io.BytesIO(SHOW.encode()), format=ImportFormat.AUTO)
    task = jobs.SubmitTask(
        task_key="missing",
        spark_python_task=jobs.SparkPythonTask(python_file=f"/Workspace{scratch}/show.py"),
        libraries=[compute.Library(pypi=compute.PythonPyPiLibrary(package="brickyard-probe-absent"))],
    )
    run = finish(w, w.jobs.submit(run_name="absent", tasks=[task]).run_id, timeout=120)
    error = w.jobs.get_run_output(run.tasks[0].run_id).error
    assert run.tasks[0].state.result_state.value == "FAILED"
    assert "brickyard-probe-absent" in error
