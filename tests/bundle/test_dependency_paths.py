"""Requirements files and wheel globs in libraries resolve against the file that declares them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.bundle.conftest import Files, errors, load

JOB = """
resources:
  jobs:
    j:
      name: j
      environments:
        - environment_key: default
          spec: {client: "2", dependencies: [DEPENDENCY, "pandas==2.2.2"]}
      tasks:
        - task_key: t
          environment_key: default
          spark_python_task: {python_file: ../src/t.py}
          libraries: [{whl: LIBRARY}]
"""


def _bundle(write: Callable[[Files], Path], dependency: str, library: str = "../dist/x-*.whl") -> Path:
    base = write(
        {
            "proj/databricks.yml": "bundle: {name: deps}\ninclude: [resources/*.yml]\n",
            "proj/resources/j.yml": JOB.replace("DEPENDENCY", f'"{dependency}"').replace("LIBRARY", library),
            "proj/src/t.py": "print('t')\n",
            "proj/requirements.txt": "pyyaml\n",
        }
    )
    return base / "proj"


def test_a_requirements_file_becomes_its_deployed_path(write: Callable[[Files], Path]) -> None:
    for spelling in ("-r ../requirements.txt", "--requirement=../requirements.txt"):
        bundle = load(_bundle(write, spelling))
        deps = bundle.get("resources", "jobs", "j", "environments", 0, "spec", "dependencies")
        assert deps == [f"-r {bundle.get('workspace', 'file_path')}/requirements.txt", "pandas==2.2.2"]


def test_a_missing_requirements_file_is_an_error(write: Callable[[Files], Path]) -> None:
    (found,) = errors(_bundle(write, "-r ../missing.txt"))
    assert found.summary == "file missing.txt not found"  # resources/../missing.txt, from the root


def test_wheel_globs_are_relative_to_their_file_even_outside_the_root(write: Callable[[Files], Path]) -> None:
    inside = load(_bundle(write, "-r ../requirements.txt"))
    task = inside.get("resources", "jobs", "j", "tasks", 0)
    assert task["libraries"] == [{"whl": "dist/x-*.whl"}]  # resources/../dist, from the root
    outside = load(_bundle(write, "-r ../requirements.txt", "../../dist/x-*.whl"))
    assert outside.get("resources", "jobs", "j", "tasks", 0)["libraries"] == [{"whl": "../dist/x-*.whl"}]
