"""spark_python_task end to end: a script run as __main__ with the task's parameters."""

from __future__ import annotations

import pytest

from tests.local.tasks.task_harness import TaskWorkspace

pytestmark = pytest.mark.engine

SCRIPT = """import sys
from pyspark.sql import SparkSession
from pyspark.dbutils import DBUtils
import helpers  # deployed next to the script

spark = SparkSession.builder.getOrCreate()
dbutils = DBUtils(spark)
if sys.argv[2] == "ok":
    from databricks.sdk.runtime import dbutils as runtime_dbutils  # slow to import: only here
    assert dbutils is runtime_dbutils
print("args", sys.argv[1:], "rows", spark.range(int(sys.argv[1])).count(), helpers.answer())
dbutils.jobs.taskValues.set("rows", int(sys.argv[1]))
if __name__ == "__main__" and sys.argv[2] == "fail":
    helpers.explode()
sys.exit(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
"""
EXPLODE_LINE = SCRIPT.splitlines().index("    helpers.explode()") + 1

HELPERS = """
def answer():
    return 42

def explode():
    raise RuntimeError("exploded on purpose")
"""


def python_task(*parameters: str) -> dict[str, object]:
    return {
        "task_key": "py",
        "spark_python_task": {
            "python_file": "/Workspace/Users/me/jobs/main.py",
            "parameters": list(parameters),
        },
    }


@pytest.fixture
def scripts(workspace: TaskWorkspace) -> TaskWorkspace:
    workspace.write("/Users/me/jobs/main.py", SCRIPT)
    workspace.write("/Users/me/jobs/helpers.py", HELPERS)
    return workspace


def test_script_gets_parameters_session_dbutils_and_its_folder_on_the_path(scripts: TaskWorkspace) -> None:
    outcome = scripts.run(python_task("5", "ok"))
    exited_zero = scripts.run(python_task("1", "quiet", "0"))

    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "args ['5', 'ok'] rows 5 42" in outcome.stdout
    assert outcome.result.task_values == {"rows": 5}
    assert exited_zero.result.state == "SUCCESS", exited_zero.logs


def test_a_script_written_for_databricks_compute_finds_spark_and_dbutils_defined(
    workspace: TaskWorkspace,
) -> None:
    workspace.write(
        "/Users/me/jobs/bare.py",
        "print('rows', spark.range(3).count())\ndbutils.jobs.taskValues.set('bare', True)\n",
    )
    outcome = workspace.run(
        {"task_key": "bare", "spark_python_task": {"python_file": "/Workspace/Users/me/jobs/bare.py"}}
    )
    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "rows 3" in outcome.stdout and outcome.result.task_values == {"bare": True}


def test_an_exception_fails_with_the_scripts_own_trace(scripts: TaskWorkspace) -> None:
    outcome = scripts.run(python_task("1", "fail"))

    assert outcome.result.state == "FAILED"
    assert outcome.result.error == "RuntimeError: exploded on purpose"
    trace = outcome.result.error_trace or ""
    assert trace.startswith("Traceback (most recent call last):\n  File ")
    assert f'main.py", line {EXPLODE_LINE}, in <module>\n    helpers.explode()' in trace
    assert 'helpers.py", line 6, in explode' in trace
    assert "runpy" not in trace and "brickyard" not in trace
    assert "RuntimeError: exploded on purpose" in outcome.stderr


def test_a_non_zero_sys_exit_fails(scripts: TaskWorkspace) -> None:
    failed = scripts.run(python_task("1", "quiet", "3"))

    assert failed.result.state == "FAILED"
    assert failed.result.error == "SystemExit: 3"


def test_a_git_sourced_file_is_refused(workspace: TaskWorkspace) -> None:
    task = {"spark_python_task": {"python_file": "jobs/main.py", "source": "GIT"}}

    outcome = workspace.run(task)

    assert outcome.result.state == "FAILED"
    assert "uses source GIT; the local workspace runs only WORKSPACE sources" in (outcome.result.error or "")


def test_create_or_replace_table_as_select_may_change_the_tables_columns(workspace: TaskWorkspace) -> None:
    workspace.write(
        "/Users/me/jobs/replace.py",
        "from pyspark.sql import SparkSession\n"
        "spark = SparkSession.builder.getOrCreate()\n"
        "spark.sql('CREATE SCHEMA IF NOT EXISTS main.replacing')\n"
        "spark.sql('CREATE OR REPLACE TABLE main.replacing.t USING delta AS SELECT 1 AS n')\n"
        "spark.sql(\"CREATE OR REPLACE TABLE main.replacing.t USING delta AS SELECT 2 AS n, 'b' AS s\")\n"
        "print('rows', [tuple(r) for r in spark.table('main.replacing.t').collect()])\n",
    )
    outcome = workspace.run(
        {"task_key": "py", "spark_python_task": {"python_file": "/Workspace/Users/me/jobs/replace.py"}}
    )
    assert outcome.result.state == "SUCCESS", outcome.logs
    assert "rows [(2, 'b')]" in outcome.stdout
