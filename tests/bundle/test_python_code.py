"""Resources defined in Python: the `python:` section runs the project's databricks-bundles."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

from tests.bundle.conftest import NOTEBOOK, Files, errors, load
from tests.pyenv import pydabs_venv  # noqa: F401  (session fixture)

RESOURCES = """
from databricks.bundles.core import Bundle, Resources
from databricks.bundles.jobs import Job


def load_resources(bundle: Bundle) -> Resources:
    resources = Resources()
    resources.add_job(
        "py_job",
        Job.from_dict(
            {
                "name": f"python job {bundle.target}",
                "tasks": [
                    {
                        "task_key": "hello",
                        "notebook_task": {
                            "notebook_path": "NOTEBOOK_PATH",
                            "base_parameters": {"who": bundle.variables["who"]},
                        },
                    }
                ],
            }
        ),
    )
    return resources
"""
MUTATORS = """
from dataclasses import replace

from databricks.bundles.core import Bundle, job_mutator
from databricks.bundles.jobs import Job


@job_mutator
def tag_jobs(bundle: Bundle, job: Job) -> Job:
    return replace(job, tags={**(job.tags or {}), "owner": "data-team"})
"""


def _bundle(venv: Path, python: str = "", **extra: str) -> Files:
    files: Files = {
        "databricks.yml": f"""
            bundle:
              name: pyd
            python:
              venv_path: {venv}
              resources: ["resources:load_resources"]
              mutators: ["mutators:tag_jobs"]
            {python}
            variables:
              who:
                default: world
            targets:
              dev:
                default: true
            resources:
              jobs:
                yaml_job:
                  name: yaml job
                  tasks:
                    - task_key: t
                      notebook_task:
                        notebook_path: src/hello.py
            """,
        "resources/__init__.py": RESOURCES.replace("NOTEBOOK_PATH", "src/hello.py"),
        "mutators.py": MUTATORS,
        "src/hello.py": NOTEBOOK,
    }
    files.update(extra)
    return files


def test_python_resources_and_mutators_join_the_yaml_ones(
    write: Callable[[Files], Path],
    pydabs_venv: Path,  # noqa: F811
) -> None:
    files = _bundle(pydabs_venv)
    root = write(files)
    bundle = load(root, who="team")
    jobs = bundle.config.plain()["resources"]["jobs"]
    assert jobs["py_job"]["name"] == "python job dev"
    task = jobs["py_job"]["tasks"][0]["notebook_task"]
    assert task["base_parameters"] == {"who": "team"}  # --var reached the Python code
    # relative to the bundle root, like the YAML one, and translated to its deployed path
    assert task["notebook_path"].endswith("/.bundle/pyd/dev/files/src/hello")
    assert jobs["yaml_job"]["tasks"][0]["notebook_task"]["notebook_path"] == task["notebook_path"]
    assert jobs["py_job"]["tags"] == jobs["yaml_job"]["tags"] == {"owner": "data-team"}
    # values the mutator left alone keep their YAML locations; the Python job points at its line
    yaml_name = bundle.config.value["resources"].value["jobs"].value["yaml_job"].value["name"]
    assert yaml_name.loc is not None and yaml_name.loc.file == "databricks.yml"
    py_job = bundle.config.value["resources"].value["jobs"].value["py_job"]
    assert str(py_job.value["name"].loc) == "resources/__init__.py:7:1"
    assert py_job.loc is not None and py_job.loc.file == "mutators.py"  # the mutator rewrote it last


def test_a_missing_file_in_a_python_resource_is_named_from_the_root(
    write: Callable[[Files], Path],
    pydabs_venv: Path,  # noqa: F811
) -> None:
    root = write(
        _bundle(
            pydabs_venv,
            **{"resources/__init__.py": RESOURCES.replace("NOTEBOOK_PATH", "src/missing.py")},
        )
    )
    (found,) = [d for d in errors(root) if "missing.py" in d.summary]
    assert found.summary == "notebook src/missing.py not found"


def test_a_failing_mutator_is_reported_with_its_file_and_traceback(
    write: Callable[[Files], Path],
    pydabs_venv: Path,  # noqa: F811
) -> None:
    failing = (
        "from databricks.bundles.core import job_mutator\n\n\n"
        "@job_mutator\ndef tag_jobs(job):\n    raise ValueError('no tags today')\n"
    )
    root = write(_bundle(pydabs_venv, **{"mutators.py": failing}))
    (found,) = errors(root)
    assert found.summary == "Failed to apply 'tag_jobs' mutator"
    assert found.location is not None and found.location.file == "mutators.py"
    assert "ValueError: no tags today" in found.detail


def test_a_missing_virtual_environment_is_a_clear_error(write: Callable[[Files], Path]) -> None:
    root = write(_bundle(Path(".venv")))
    (found,) = errors(root)
    assert found.path == "python.venv_path"
    assert "no virtual environment at" in found.summary and "databricks-bundles" in found.summary
    assert found.location is not None and (found.location.file, found.location.line) == ("databricks.yml", 4)


def test_an_environment_without_databricks_bundles_is_named(
    write: Callable[[Files], Path], tmp_path_factory: object
) -> None:
    import subprocess
    import sys

    root = write(_bundle(Path(".venv")))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / ".venv")], check=True)
    (found,) = errors(root)
    assert "databricks-bundles is not installed" in found.summary and str(root / ".venv") in found.summary


def test_a_python_resource_cannot_replace_a_yaml_one(
    write: Callable[[Files], Path],
    pydabs_venv: Path,  # noqa: F811
) -> None:
    clash = RESOURCES.replace("NOTEBOOK_PATH", "src/hello.py").replace('"py_job"', '"yaml_job"')
    root = write(_bundle(pydabs_venv, **{"resources/__init__.py": clash}))
    (found,) = errors(root)
    assert found.path == "resources.jobs.yaml_job"
    assert "defined in Python and also at databricks.yml" in found.summary


def test_the_experimental_python_section_is_read_too(
    write: Callable[[Files], Path],
    pydabs_venv: Path,  # noqa: F811
) -> None:
    files = _bundle(pydabs_venv)
    text = textwrap.dedent(files["databricks.yml"]).replace("../src", "src")
    head, rest = text.split("python:\n", 1)
    section, tail = rest.split("\nvariables:", 1)
    files["databricks.yml"] = (
        f"{head}experimental:\n  python:\n{textwrap.indent(section, '  ')}\nvariables:{tail}"
    )
    root = write(files)
    assert "py_job" in load(root).config.plain()["resources"]["jobs"]
