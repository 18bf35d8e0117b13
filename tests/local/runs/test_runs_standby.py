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
