"""A bundle whose job is defined in Python (databricks-bundles) deploys and runs on the local workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.deploy.conftest import Project
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
                "name": "python job",
                "tasks": [{"task_key": "hello", "notebook_task": {"notebook_path": "src/hello.py"}}],
            }
        ),
    )
    return resources
"""
MUTATORS = """
from dataclasses import replace

from databricks.bundles.core import job_mutator
from databricks.bundles.jobs import Job


@job_mutator
def add_who(job: Job) -> Job:
    return replace(job, parameters=[{"name": "who", "default": "mutated"}])
"""
NOTEBOOK = """# Databricks notebook source
dbutils.notebook.exit("hello " + dbutils.widgets.get("who"))
"""


def test_a_job_defined_in_python_deploys_and_runs(
    project: Project,
    client: Any,
    pydabs_venv: Path,  # noqa: F811
) -> None:
    project.write(
        {
            "databricks.yml": f"""
                bundle:
                  name: NAME
                python:
                  venv_path: {pydabs_venv}
                  resources: ["resources:load_resources"]
                  mutators: ["mutators:add_who"]
                targets:
                  local:
                    default: true
                """,
            "resources/__init__.py": RESOURCES,
            "mutators.py": MUTATORS,
            "src/hello.py": NOTEBOOK,
        }
    )
    project.deploy()
    deployed = project.state().resource("jobs", "py_job")
    assert deployed is not None
    job = client.jobs.get(int(deployed.id))
    assert [p.name for p in job.settings.parameters or []] == ["who"]
    outcome = project.run("py_job")
    assert outcome.succeeded and outcome.tasks[0].output == "hello mutated"
