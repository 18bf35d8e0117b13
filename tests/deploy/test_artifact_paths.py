"""Artifact builds run through the shell in their path; library and requirements paths resolve
against the file that declares them, as `databricks bundle` resolves them."""

from __future__ import annotations

from typing import Any

from tests.deploy.conftest import Project

BUNDLE = """
bundle:
  name: NAME
include: [resources/*.yml]
artifacts:
  pkg:
    type: whl
    path: ./pkg
    build: echo "built in $(basename "$PWD")" > ../build-ran.txt && uv build --wheel
targets:
  local:
    default: true
"""
JOB = """
resources:
  jobs:
    etl:
      name: NAME etl
      environments:
        - environment_key: default
          spec:
            client: "2"
            dependencies: ["-r ../requirements.txt"]
      tasks:
        - task_key: whl
          python_wheel_task: {package_name: pkg, entry_point: main}
          libraries: [{whl: ../pkg/dist/*.whl}]
        - task_key: serverless
          environment_key: default
          spark_python_task: {python_file: ../src/check.py}
"""
PYPROJECT = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
[project]
name = "pkg"
version = "0.1.0"
[project.scripts]
main = "pkg:main"
"""


def test_shell_build_relative_wheels_and_requirements_files(project: Project, client: Any) -> None:
    project.write(
        {
            "databricks.yml": BUNDLE,
            "resources/etl.yml": JOB,
            "pkg/pyproject.toml": PYPROJECT,
            "pkg/pkg/__init__.py": "def main():\n    print('wheel ran')\n",
            "requirements.txt": "pyyaml\n",
            "src/check.py": "import yaml\nprint(yaml.safe_dump({'ok': True}))\n",
        }
    )
    project.deploy()
    assert (project.root / "build-ran.txt").read_text().strip() == "built in pkg"  # && ran, in ./pkg
    settings = client.jobs.get(int(project.state().resources["jobs.etl"].id)).settings
    (wheel,) = [lib.whl for t in settings.tasks if t.task_key == "whl" for lib in t.libraries]
    assert "/.internal/" in wheel and wheel.endswith(".whl") and "/pkg-0.1.0-" in wheel
    (requirements,) = settings.environments[0].spec.dependencies
    assert requirements == f"-r {project.files_path}/requirements.txt"
    outcome = project.run("etl")
    assert outcome.succeeded, [(t.task_key, t.error) for t in outcome.tasks]


UNDECLARED = """
bundle:
  name: NAME
targets:
  local:
    default: true
resources:
  jobs:
    etl:
      name: NAME etl
      environments:
        - environment_key: default
          spec:
            client: "2"
            dependencies: [./dist/*.whl]
      tasks:
        - task_key: whl
          environment_key: default
          python_wheel_task: {package_name: pkg, entry_point: main}
"""


def test_a_project_at_the_root_is_built_when_an_environment_names_its_wheel(
    project: Project, client: Any
) -> None:
    """No `artifacts:`: a serverless environment's `./dist/*.whl` is the bundle's own project, which
    is built first, as `databricks bundle deploy` detects it."""
    project.write(
        {
            "databricks.yml": UNDECLARED,
            "pyproject.toml": PYPROJECT,
            "pkg/__init__.py": "def main():\n    print('wheel ran')\n",
        }
    )
    project.deploy()
    settings = client.jobs.get(int(project.state().resources["jobs.etl"].id)).settings
    (wheel,) = settings.environments[0].spec.dependencies
    assert wheel.endswith(".whl") and "/pkg-0.1.0-" in wheel
    outcome = project.run("etl")
    assert outcome.succeeded and "wheel ran" in outcome.tasks[0].logs
