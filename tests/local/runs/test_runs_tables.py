"""Tables across tasks and runs: each task's Spark session starts from the workspace catalog and
reports its changes back; clusters with their own `spark.remote` compute elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from databricks.sdk.service import jobs

from tests.local.runs.conftest import by_key, finish

pytestmark = [pytest.mark.server, pytest.mark.engine]


def test_a_table_written_by_one_task_is_read_by_the_next_and_a_later_run(w: Any, py: Any) -> None:
    job = w.jobs.create(
        name="tables",
        tasks=[
            py(
                "write",
                "sql.py",
                "CREATE SCHEMA IF NOT EXISTS main.sales",
                "CREATE OR REPLACE TABLE main.sales.orders AS SELECT id, id * 10 AS amount FROM range(4)",
                "CREATE OR REPLACE VIEW main.sales.big AS SELECT * FROM main.sales.orders WHERE amount > 15",
            ),
            py(
                "read",
                "sql.py",
                "SELECT count(*) AS n FROM main.sales.big",
                "SELECT sum(id) AS s FROM hive_metastore.default.t_hms",
                depends_on=[jobs.TaskDependency(task_key="write"), jobs.TaskDependency(task_key="hms")],
            ),
            py("hms", "sql.py", "CREATE TABLE hive_metastore.default.t_hms AS SELECT 5 AS id"),
        ],
    )
    run = finish(w, w.jobs.run_now(job.job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS, run.state.state_message
    logs = w.jobs.get_run_output(by_key(run)["read"].run_id).logs
    assert "n=2" in logs and "s=5" in logs
    later = w.jobs.submit(
        run_name="later", tasks=[py("again", "sql.py", "SELECT count(*) AS n FROM main.sales.orders")]
    ).run_id
    assert "n=4" in w.jobs.get_run_output(finish(w, later).tasks[0].run_id).logs


def test_names_that_need_quoting_keep_every_table_a_task_wrote(w: Any, py: Any) -> None:
    """Schemas like `01_silver` (medallion layers numbered) and tables like `2t` must be quoted;
    the task's changes still reach the next task, all of them."""
    job = w.jobs.create(
        name="quoted",
        tasks=[
            py(
                "write",
                "sql.py",
                "CREATE SCHEMA IF NOT EXISTS main.`01_silver`",
                "CREATE TABLE main.`01_silver`.`2t` AS SELECT id FROM range(3)",
                "CREATE TABLE main.default.plain AS SELECT id FROM range(5)",
            ),
            py(
                "read",
                "sql.py",
                "SELECT count(*) AS n FROM main.`01_silver`.`2t`",
                "SELECT count(*) AS m FROM main.default.plain",
                depends_on=[jobs.TaskDependency(task_key="write")],
            ),
        ],
    )
    run = finish(w, w.jobs.run_now(job.job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS, run.state.state_message
    write_logs = w.jobs.get_run_output(by_key(run)["write"].run_id).logs
    assert "not saved" not in write_logs
    logs = w.jobs.get_run_output(by_key(run)["read"].run_id).logs
    assert "n=3" in logs and "m=5" in logs
    assert "01_silver" in {s.name for s in w.schemas.list(catalog_name="main")}


def test_a_cluster_with_its_own_spark_remote_runs_tasks_there(w: Any, py: Any, sail_engine: Any) -> None:
    cluster_id = w.clusters.create(
        cluster_name="elsewhere",
        spark_version="15.4.x-scala2.12",
        spark_conf={"spark.remote": sail_engine.url},
    ).cluster_id
    w.clusters.delete(cluster_id)  # a job starts a terminated cluster it needs
    run = finish(
        w,
        w.jobs.submit(run_name="remote", tasks=[py("r", "remote.py", existing_cluster_id=cluster_id)]).run_id,
    )
    assert run.state.result_state == jobs.RunResultState.SUCCESS, run.state.state_message
    task = run.tasks[0]
    # the engine's token is part of its URL, and task logs never show it
    assert f"remote {sail_engine.address}/;token=[REDACTED] 4" in w.jobs.get_run_output(task.run_id).logs
    assert task.cluster_instance.cluster_id == cluster_id
    assert w.clusters.get(cluster_id).state.value == "RUNNING"
