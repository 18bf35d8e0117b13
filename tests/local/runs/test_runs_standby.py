"""A worker is kept ready for the next task on the same engine: started, with its session open,
before that task is submitted, and still running it exactly as a freshly forked worker would."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from databricks.sdk.service import jobs
from databricks.sdk.service.workspace import ImportFormat

from tests.local.conftest import USER
from tests.local.runs.conftest import finish

pytestmark = [pytest.mark.server, pytest.mark.engine]

AGE = (
    "import os, sys\n"
    "from pyspark.sql import SparkSession\n"
    "ticks = int(open('/proc/self/stat').read().rsplit(')', 1)[1].split()[19])\n"
    "uptime = float(open('/proc/uptime').read().split()[0])\n"
    "spark = SparkSession.builder.getOrCreate()\n"
    "n = spark.sql(f'SELECT count(*) FROM {sys.argv[1]}').collect()[0][0]\n"
    "print('age', uptime - ticks / os.sysconf('SC_CLK_TCK'), 'rows', n, 'flag', os.environ.get('STANDBY_FLAG'))\n"
)


def test_the_next_task_starts_in_a_worker_prepared_before_it_was_submitted(w: Any, py: Any) -> None:
    folder = f"/Users/{USER}/standby"
    w.workspace.mkdirs(folder)
    w.workspace.upload(f"{folder}/age.py", io.BytesIO(AGE.encode()), format=ImportFormat.AUTO, overwrite=True)
    cluster = jobs.JobCluster(
        job_cluster_key="c",
        new_cluster=jobs.compute.ClusterSpec(
            spark_version="15.4.x-scala2.12", num_workers=0, spark_env_vars={"STANDBY_FLAG": "on"}
        ),
    )

    def age_task(key: str, table: str) -> jobs.Task:
        task = jobs.SparkPythonTask(python_file=f"/Workspace{folder}/age.py", parameters=[table])
        return jobs.Task(task_key=key, spark_python_task=task, job_cluster_key="c")

    first = w.jobs.create(
        name="standby-first",
        job_clusters=[cluster],
        tasks=[
            jobs.Task(
                task_key="write",
                job_cluster_key="c",
                spark_python_task=jobs.SparkPythonTask(
                    python_file=f"/Workspace/Users/{USER}/scripts/sql.py",
                    parameters=["CREATE OR REPLACE TABLE main.default.standby_t AS SELECT id FROM range(3)"],
                ),
            )
        ],
    )
    run = finish(w, w.jobs.run_now(first.job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS, run.state.state_message

    second = w.jobs.create(
        name="standby-next", job_clusters=[cluster], tasks=[age_task("read", "main.default.standby_t")]
    )
    submitted = time.monotonic()
    run = finish(w, w.jobs.run_now(second.job_id).run_id)
    since_submit = time.monotonic() - submitted
    assert run.state.result_state == jobs.RunResultState.SUCCESS, run.state.state_message
    words = w.jobs.get_run_output(run.tasks[0].run_id).logs.split()
    age = float(words[words.index("age") + 1])
    assert age > since_submit  # the process existed before the task did
    # it still sees the workspace's tables as of its start, and its cluster's environment
    assert words[words.index("rows") + 1] == "3" and words[words.index("flag") + 1] == "on"


AGED_SQL = (
    "import os, sys, time\n"
    "from pyspark.sql import SparkSession\n"
    "ticks = int(open('/proc/self/stat').read().rsplit(')', 1)[1].split()[19])\n"
    "uptime = float(open('/proc/uptime').read().split()[0])\n"
    "print('started', time.time() - (uptime - ticks / os.sysconf('SC_CLK_TCK')))\n"
    "spark = SparkSession.builder.getOrCreate()\n"
    "for statement in sys.argv[1:]:\n"
    "    print(spark.sql(statement).collect())\n"
)


def test_a_worker_prepared_before_a_table_was_dropped_does_not_see_it(w: Any, py: Any) -> None:
    """The standby registers the catalog as the last task saw it; a table that task dropped is
    unregistered when the next task starts, so that task can create it anew."""
    folder = f"/Users/{USER}/standby"
    w.workspace.mkdirs(folder)
    w.workspace.upload(
        f"{folder}/aged_sql.py", io.BytesIO(AGED_SQL.encode()), format=ImportFormat.AUTO, overwrite=True
    )
    cluster = jobs.JobCluster(
        job_cluster_key="c",
        new_cluster=jobs.compute.ClusterSpec(
            spark_version="15.4.x-scala2.12", num_workers=0, spark_env_vars={"STANDBY_FLAG": "drops"}
        ),
    )
    name = "main.default.standby_dropped"

    def sql_job(label: str, *statements: str) -> tuple[float, list[str]]:
        task = jobs.SparkPythonTask(
            python_file=f"/Workspace{folder}/aged_sql.py", parameters=list(statements)
        )
        job = w.jobs.create(
            name=f"standby-{label}",
            job_clusters=[cluster],
            tasks=[jobs.Task(task_key=label, job_cluster_key="c", spark_python_task=task)],
        )
        submitted = time.time()
        run = finish(w, w.jobs.run_now(job.job_id).run_id)
        assert run.state.result_state == jobs.RunResultState.SUCCESS, run.state.state_message
        lines = w.jobs.get_run_output(run.tasks[0].run_id).logs.splitlines()
        return submitted - float(lines[0].split()[1]), lines[1:]

    sql_job("create", f"CREATE OR REPLACE TABLE {name} AS SELECT 1 AS v")
    sql_job("drop", f"DROP TABLE {name}")  # the next worker is prepared while this one runs
    ahead, out = sql_job(
        "recreate",
        "SHOW TABLES IN main.default LIKE 'standby_dropped'",
        f"CREATE TABLE {name} AS SELECT 7 AS v",
    )
    assert ahead > 0.1  # prepared before it was submitted, with the dropped table registered then
    assert out[0] == "[]", out  # yet it started without the dropped table
    _, out = sql_job("read", f"SELECT v FROM {name}")
    assert out == ["[Row(v=7)]"]
