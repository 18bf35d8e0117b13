"""python_wheel_task end to end, with a wheel built in the test and listed in the task's libraries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.local.tasks.task_harness import TaskWorkspace

pytestmark = pytest.mark.engine

PYPROJECT = """
[project]
name = "tiny-etl"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["pyyaml>=5", "databricks-connect>=15.1", "rarely-installed-thing>=1"]

[project.scripts]
tiny-etl = "tiny_etl.main:main"

[project.entry-points."tiny.plugins"]
explode = "tiny_etl.main:explode"

[build-system]
requires = ["uv_build>=0.8,<0.14"]
build-backend = "uv_build"
"""

MAIN = """
import sys

def main():
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.getOrCreate()
    print("tiny-etl", sys.argv[1:], spark.range(3).count())

def explode():
    raise ValueError("bad input " + " ".join(sys.argv[1:]))

def direct():
    print("called directly", sys.argv[1:])
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real wheel, built offline by uv's own build backend."""
    from uv import find_uv_bin

    project = tmp_path_factory.mktemp("tiny_etl")
    (project / "pyproject.toml").write_text(PYPROJECT)
    (project / "src/tiny_etl").mkdir(parents=True)
    (project / "src/tiny_etl/__init__.py").write_text("from tiny_etl.main import direct\n")
    (project / "src/tiny_etl/main.py").write_text(MAIN)
    dist = project / "dist"
    subprocess.run(
        [find_uv_bin(), "build", "--wheel", "--offline", "--quiet", "-o", str(dist), str(project)],
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(project), "UV_PYTHON": sys.executable},
    )
    [built] = dist.glob("*.whl")
    return built


def wheel_task(entry_point: str, **extra: object) -> dict[str, object]:
    return {
        "task_key": "whl",
        "python_wheel_task": {"package_name": "tiny-etl", "entry_point": entry_point, **extra},
        "libraries": [{"whl": "/Workspace/Users/me/dist/tiny_etl-0.1.0-py3-none-any.whl"}],
    }


def test_wheel_entry_point_runs_with_parameters_in_a_cached_environment(
    workspace: TaskWorkspace, wheel: Path
) -> None:
    workspace.write(f"/Users/me/dist/{wheel.name}", wheel.read_bytes())

    first = workspace.run(wheel_task("tiny-etl", named_parameters={"date": "2024-01-01", "mode": "full"}))
    second = workspace.run(wheel_task("direct", parameters=["a", "b"]))

    assert first.result.state == "SUCCESS", first.logs
    assert "tiny-etl ['--date=2024-01-01', '--mode=full'] 3" in first.stdout
    # a dependency the environment lacks is named; Databricks Connect is the workspace's own
    assert "tiny-etl needs rarely-installed-thing>=1, which is not installed" in first.logs
    assert "databricks-connect" not in first.logs
    assert second.result.state == "SUCCESS", second.logs
    assert "called directly ['a', 'b']" in second.stdout
    environments = list((workspace.root / "cache" / "wheels").iterdir())
    assert len(environments) == 1  # built once, reused by the second run
    assert (environments[0] / "tiny_etl" / "main.py").exists()
    assert not (workspace.root / "workspace/Users/me/dist/build").exists()


def test_a_failing_entry_point_reports_its_trace(workspace: TaskWorkspace, wheel: Path) -> None:
    workspace.write(f"/Users/me/dist/{wheel.name}", wheel.read_bytes())

    outcome = workspace.run(wheel_task("explode", parameters=["x"]))

    assert outcome.result.state == "FAILED"
    assert outcome.result.error == "ValueError: bad input x"
    assert 'tiny_etl/main.py", line 10, in explode' in (outcome.result.error_trace or "")


def test_a_package_that_is_not_installed_is_a_clear_failure(workspace: TaskWorkspace) -> None:
    outcome = workspace.run({"python_wheel_task": {"package_name": "not-there", "entry_point": "main"}})

    assert outcome.result.state == "FAILED"
    assert outcome.result.error == (
        "package not-there is not installed; list its wheel in the task's libraries (whl: /Workspace/…/x.whl)"
    )
