"""Local paths resolve against the YAML file that declares them and become workspace paths."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from brickyard.bundle.resolve import InvalidBundle
from tests.bundle.conftest import NOTEBOOK, Files, errors, load

FILES = "/Workspace/Users/tester@brickyard.local/.bundle/paths/default/files"

ROOT = """
bundle: {name: paths}
include: [resources/*.yml]
"""


def test_paths_are_relative_to_the_declaring_file(write: Callable[[Files], Path]) -> None:
    root = write(
        {
            "databricks.yml": ROOT,
            "resources/job.yml": """
            resources:
              jobs:
                j:
                  name: j
                  tasks:
                    - task_key: nb
                      notebook_task: {notebook_path: ../src/notebooks/ingest.py}
                    - task_key: py
                      spark_python_task: {python_file: ../src/jobs/main.py}
                    - task_key: sql
                      sql_task: {file: {path: ../src/queries/q.sql}, warehouse_id: abc}
                    - task_key: dbt
                      dbt_task: {project_directory: ../dbt, commands: [dbt build]}
                    - task_key: whl
                      python_wheel_task: {package_name: pkg, entry_point: main}
                      libraries: [{whl: ../dist/*.whl}, {pypi: {package: requests}}]
            """,
            "src/notebooks/ingest.py": NOTEBOOK,
            "src/jobs/main.py": "print('main')\n",
            "src/queries/q.sql": "SELECT 1\n",
            "dbt/dbt_project.yml": "name: x\n",
        }
    )
    bundle = load(root)
    by_key = {t["task_key"]: t for t in bundle.resources("jobs")["j"]["tasks"]}
    tasks = [by_key[k] for k in ("nb", "py", "sql", "dbt", "whl")]
    assert tasks[0]["notebook_task"]["notebook_path"] == f"{FILES}/src/notebooks/ingest"
    assert tasks[1]["spark_python_task"]["python_file"] == f"{FILES}/src/jobs/main.py"
    assert tasks[2]["sql_task"]["file"]["path"] == f"{FILES}/src/queries/q.sql"
    assert tasks[3]["dbt_task"]["project_directory"] == f"{FILES}/dbt"
    assert tasks[4]["libraries"] == [{"whl": "dist/*.whl"}, {"pypi": {"package": "requests"}}]
    assert bundle.sources[f"{FILES}/src/notebooks/ingest"] == root / "src/notebooks/ingest.py"


def test_pipeline_libraries_notebooks_files_and_globs(write: Callable[[Files], Path]) -> None:
    root = write(
        {
            "databricks.yml": ROOT,
            "resources/p.yml": """
            resources:
              pipelines:
                p:
                  name: p
                  libraries:
                    - notebook: {path: ../pipelines/bronze.py}
                    - file: {path: ../pipelines/silver.sql}
                    - glob: {include: ../pipelines/gold/**}
            """,
            "pipelines/bronze.py": NOTEBOOK,
            "pipelines/silver.sql": "CREATE MATERIALIZED VIEW s AS SELECT 1\n",
            "pipelines/gold/g.py": "import dlt\n",
        }
    )
    libs = load(root).resources("pipelines")["p"]["libraries"]
    assert libs == [
        {"notebook": {"path": f"{FILES}/pipelines/bronze"}},
        {"file": {"path": f"{FILES}/pipelines/silver.sql"}},
        {"glob": {"include": f"{FILES}/pipelines/gold/**"}},
    ]


def test_remote_and_git_sourced_paths_are_left_alone(write: Callable[[Files], Path]) -> None:
    root = write(
        {
            "databricks.yml": """
            bundle: {name: paths}
            resources:
              jobs:
                remote:
                  name: remote
                  tasks:
                    - task_key: a
                      notebook_task: {notebook_path: /Workspace/Shared/nb}
                    - task_key: b
                      spark_python_task: {python_file: dbfs:/scripts/x.py}
                    - task_key: c
                      libraries: [{whl: /Volumes/main/default/libs/x.whl}]
                      python_wheel_task: {package_name: x, entry_point: y}
                from_git:
                  name: from_git
                  git_source: {git_url: "https://github.com/acme/etl", git_provider: gitHub, git_branch: main}
                  tasks:
                    - task_key: a
                      notebook_task: {notebook_path: notebooks/ingest}
            """,
        }
    )
    jobs = load(root).resources("jobs")
    assert jobs["remote"]["tasks"][0]["notebook_task"]["notebook_path"] == "/Workspace/Shared/nb"
    assert jobs["remote"]["tasks"][1]["spark_python_task"]["python_file"] == "dbfs:/scripts/x.py"
    assert jobs["remote"]["tasks"][2]["libraries"] == [{"whl": "/Volumes/main/default/libs/x.whl"}]
    assert jobs["from_git"]["tasks"][0]["notebook_task"]["notebook_path"] == "notebooks/ingest"


def test_missing_notebook_is_named_by_its_path_from_the_root(write: Callable[[Files], Path]) -> None:
    root = write(
        {
            "databricks.yml": ROOT,
            "resources/job.yml": """
            resources:
              jobs:
                j:
                  name: j
                  tasks:
                    - task_key: nb
                      notebook_task:
                        notebook_path: ../notebooks/missing.py
            """,
        }
    )
    (diag,) = errors(root)
    # relative to the file that names it, shown from the bundle root, without a location (as the CLI)
    assert diag.summary == "notebook notebooks/missing.py not found"
    assert (diag.path, diag.location) == ("", None)


@pytest.mark.parametrize(
    ("task", "expected"),
    [
        (
            "notebook_task: {notebook_path: ./plain.py}",
            'expected a notebook for "resources.jobs.j.tasks[0].notebook_task.notebook_path" but got a file: '
            "file at {root}/plain.py is not a notebook",
        ),
        (
            "spark_python_task: {python_file: ./nb.py}",
            'expected a file for "resources.jobs.j.tasks[0].spark_python_task.python_file" but got a notebook: '
            "file at {root}/nb.py is a notebook",
        ),
    ],
)
def test_a_file_of_the_wrong_kind_is_an_error_in_the_cli_words(
    task: str, expected: str, write: Callable[[Files], Path]
) -> None:
    root = write(
        {
            "databricks.yml": f"""
            bundle: {{name: p}}
            resources:
              jobs:
                j:
                  name: j
                  tasks:
                    - task_key: a
                      {task}
            """,
            "plain.py": "print(1)\n",
            "nb.py": NOTEBOOK,
        }
    )
    (diag,) = errors(root)
    assert diag.summary == expected.format(root=root.resolve())
    assert diag.location is None


def test_only_the_first_path_that_cannot_be_translated_is_reported(write: Callable[[Files], Path]) -> None:
    root = write(
        {
            "databricks.yml": """
            bundle: {name: p}
            resources:
              jobs:
                j:
                  name: j
                  tasks:
                    - task_key: a
                      notebook_task: {notebook_path: ./etl/load}
                    - task_key: b
                      spark_python_task: {python_file: ./missing.py}
            """,
            "etl/load.py": NOTEBOOK,
        }
    )
    (diag,) = errors(root)
    assert diag.summary == (
        'notebook "etl/load" not found. Did you mean "etl/load.py"?\n'
        "Local notebook references are expected to contain one of the following\n"
        "file extensions: [.py, .r, .scala, .sql, .ipynb]"
    )


def test_a_failed_translation_leaves_paths_relative_to_the_root_and_cleaned(
    write: Callable[[Files], Path],
) -> None:
    """As the CLI prints the configuration where translation stopped: `./a.py` is `a.py`, and a
    path written in an included file is named from the bundle root; nothing is translated."""
    root = write(
        {
            "databricks.yml": """
            bundle: {name: paths}
            include: [resources/*.yml]
            resources:
              jobs:
                j:
                  name: j
                  tasks:
                    - task_key: a
                      spark_python_task: {python_file: ./src/./a.py}
                      libraries: [{requirements: ./requirements.txt}]
            """,
            "resources/more.yml": """
            resources:
              jobs:
                k:
                  name: k
                  tasks:
                    - task_key: b
                      notebook_task: {notebook_path: ../src/missing.py}
            """,
            "src/a.py": "print(1)\n",
            "requirements.txt": "pandas\n",
        }
    )
    with pytest.raises(InvalidBundle) as info:
        load(root)
    config = info.value.config
    assert config is not None
    tasks = config.plain()["resources"]["jobs"]
    assert tasks["j"]["tasks"][0]["spark_python_task"] == {"python_file": "src/a.py"}
    assert tasks["j"]["tasks"][0]["libraries"] == [{"requirements": "requirements.txt"}]
    assert tasks["k"]["tasks"][0]["notebook_task"] == {"notebook_path": "src/missing.py"}


def test_paths_outside_the_sync_root_are_an_error(write: Callable[[Files], Path]) -> None:
    root = write(
        {
            "databricks.yml": """
            bundle: {name: p}
            resources:
              jobs:
                j:
                  name: j
                  tasks:
                    - task_key: a
                      spark_python_task: {python_file: ../../etc/passwd.py}
            """,
        }
    )
    (error,) = errors(root)
    outside = os.path.normpath(root / "../../etc/passwd.py")
    assert error.summary == f"path {outside} is not contained in sync root path"  # never uploaded


def test_a_sync_root_above_the_bundle_root_moves_the_files(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "lib.py").write_text("print(1)\n")
    root = tmp_path / "project"
    root.mkdir()
    (root / "main.py").write_text("print(2)\n")
    (root / "databricks.yml").write_text(
        "bundle: {name: p}\nsync: {paths: [., ../shared]}\nresources:\n  jobs:\n    j:\n      name: j\n"
        "      tasks:\n        - {task_key: a, spark_python_task: {python_file: ../shared/lib.py}}\n"
        "        - {task_key: b, spark_python_task: {python_file: ./main.py}}\n"
    )
    tasks = load(root).resources("jobs")["j"]["tasks"]
    files = "/Workspace/Users/tester@brickyard.local/.bundle/p/default/files"
    assert tasks[0]["spark_python_task"]["python_file"] == f"{files}/shared/lib.py"
    assert tasks[1]["spark_python_task"]["python_file"] == f"{files}/project/main.py"


def test_sync_globs_become_relative_to_the_root(write: Callable[[Files], Path]) -> None:
    root = write(
        {
            "databricks.yml": ROOT + "sync:\n  exclude: [scratch/**]\n",
            "resources/s.yml": "sync:\n  include: [../generated/*.csv]\n",
        }
    )
    sync = load(root).get("sync")
    assert sync == {"exclude": ["scratch/**"], "include": ["generated/*.csv"], "paths": ["."]}


def test_a_path_written_relative_to_its_resource_instead_of_its_own_file_is_refused(
    write: Callable[[Files], Path],
) -> None:
    root = write(
        {
            "databricks.yml": """
            bundle: {name: p}
            include: [resources/*.yml]
            targets:
              dev:
                default: true
                resources:
                  jobs:
                    j:
                      tasks:
                        - task_key: a
                          spark_python_task: {python_file: ../etl/dev.py}
            """,
            "resources/j.yml": """
            resources:
              jobs:
                j:
                  name: j
                  tasks:
                    - task_key: a
                      spark_python_task: {python_file: ../etl/main.py}
            """,
            "etl/main.py": "print(1)\n",
            "etl/dev.py": "print(2)\n",
        }
    )
    (diag,) = errors(root)
    base = root.resolve()
    assert diag.summary == (
        f"path ../etl/dev.py is defined relative to the {base}/resources directory "
        f"({base}/databricks.yml:11:48). Please update the path to be relative to the file where it is defined."
    )
    # the place that set it, then the place it overrode, as the CLI lists them
    assert [str(diag.location), *map(str, diag.also)] == ["databricks.yml:11:48", "resources/j.yml:7:44"]
