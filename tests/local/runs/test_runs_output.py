"""A task run's output as `runs/get-output` returns it: what the notebook printed and displayed,
its exit value (cut to 5 MB), the error of a failed task, and the run it belongs to."""

from __future__ import annotations

import io
from typing import Any

from databricks.sdk.service import jobs
from databricks.sdk.service.workspace import ImportFormat

from tests.local.runs.conftest import finish

SHOWS = """# Databricks notebook source
print("hello from a cell")

# COMMAND ----------

df = spark.createDataFrame([(1, "one"), (2, "two")], "n INT, word STRING")
display(df)

# COMMAND ----------

dbutils.notebook.exit("exit-" + dbutils.widgets.get("size"))
"""
BIG = """# Databricks notebook source
dbutils.notebook.exit("x" * (5 * 1024 * 1024 + 10))
"""


def _notebook(w: Any, scratch: str, name: str, text: str) -> str:
    path = f"{scratch}/{name}"
    w.workspace.upload(path, io.BytesIO(text.encode()), format=ImportFormat.AUTO, overwrite=True)
    return f"/Workspace{path}"


def test_output_carries_prints_displayed_tables_exit_value_and_metadata(w: Any, scratch: str) -> None:
    path = _notebook(w, scratch, "shows", SHOWS)
    task = jobs.Task(task_key="nb", notebook_task=jobs.NotebookTask(path, base_parameters={"size": "s"}))
    job = w.jobs.create(name="shows", tasks=[task])
    run = finish(w, w.jobs.run_now(job.job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS
    task_run = run.tasks[0].run_id
    output = w.jobs.get_run_output(task_run)
    assert output.notebook_output.result == "exit-s"
    assert output.notebook_output.truncated is False
    assert "hello from a cell" in output.logs
    assert "word" in output.logs and "two" in output.logs  # the displayed table, as text
    assert output.logs_truncated is False
    assert output.error is None and output.error_trace is None
    assert output.metadata.run_id == task_run and output.metadata.job_id == job.job_id
    assert output.metadata.tasks[0].task_key == "nb"


def test_an_exit_value_over_5_mb_is_truncated(w: Any, scratch: str) -> None:
    path = _notebook(w, scratch, "big", BIG)
    run = w.jobs.submit(
        run_name="big", tasks=[jobs.SubmitTask(task_key="big", notebook_task=jobs.NotebookTask(path))]
    )
    done = finish(w, run.run_id)
    output = w.jobs.get_run_output(done.tasks[0].run_id)
    assert output.notebook_output.truncated is True
    assert len(output.notebook_output.result) == 5 * 1024 * 1024
