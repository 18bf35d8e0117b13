"""Pipeline updates on the local workspace: run by the pipeline worker, followed through the SDK.

An update's events (with expectation counts) are in the event log while and after it runs; its
tables are in the workspace catalog for every later task; a running pipeline refuses a second
update and stops on request.
"""

from __future__ import annotations

import io
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.errors import BadRequest, ResourceConflict
from databricks.sdk.service import jobs, pipelines
from databricks.sdk.service.catalog import VolumeType
from databricks.sdk.service.workspace import ImportFormat

from tests.local.runs.conftest import finish, logs_of

pytestmark = pytest.mark.engine

BRONZE = """
import dlt

@dlt.table
@dlt.expect_or_drop("even", "id % 2 = 0")
@dlt.expect("small", "id < 8")
def evens():
    return spark.range(10)
"""
SILVER_NOTEBOOK = """# Databricks notebook source
import dlt

# COMMAND ----------

@dlt.table(comment="doubled")
def doubled():
    return dlt.read("evens").selectExpr("id * 2 AS twice")
"""
QUALIFIED = """
import dlt

@dlt.table(name="SCHEMA.streamed")
def streamed():
    return dlt.read_stream("evens")
"""
SLOW = """
import time
from pathlib import Path
import dlt

@dlt.table
def slow():
    Path(spark.conf.get("marker")).touch()
    time.sleep(600)
    return spark.range(1)
"""


def upload(w: Any, path: str, text: str) -> None:
    w.workspace.upload(path, io.BytesIO(text.encode()), format=ImportFormat.AUTO, overwrite=True)


def wait_update(w: Any, pipeline_id: str, update_id: str, timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        update = w.pipelines.get_update(pipeline_id, update_id).update
        if update.state.value in ("COMPLETED", "FAILED", "CANCELED"):
            return update
        time.sleep(0.05)
    raise AssertionError(f"update {update_id} did not finish: {update.state}")


def files(*paths: str) -> list[pipelines.PipelineLibrary]:
    return [pipelines.PipelineLibrary(file=pipelines.FileLibrary(path=p)) for p in paths]


def test_an_update_runs_with_expectations_in_the_event_log_and_publishes_its_tables(
    w: Any, scratch: str, py: Any
) -> None:
    upload(w, f"{scratch}/bronze.py", BRONZE)
    upload(w, f"{scratch}/silver.py", SILVER_NOTEBOOK)  # a notebook: stored as `silver`
    schema = f"p_{uuid.uuid4().hex[:8]}"
    # a dataset named with its schema, as code written for a catalog's layout names them
    upload(w, f"{scratch}/qualified.py", QUALIFIED.replace("SCHEMA", schema))
    pipeline_id = w.pipelines.create(
        name=f"exp-{schema}",
        catalog="main",
        schema=schema,
        libraries=files(
            f"/Workspace{scratch}/bronze.py",
            f"/Workspace{scratch}/silver.py",
            f"/Workspace{scratch}/qualified.py",
        ),
    ).pipeline_id

    update_id = w.pipelines.start_update(pipeline_id).update_id
    update = wait_update(w, pipeline_id, update_id)

    assert update.state.value == "COMPLETED" and update.cause.value == "API_CALL"
    events = list(
        w.pipelines.list_pipeline_events(pipeline_id, filter=f"update_id = '{update_id}'", max_results=3)
    )
    assert events[0].event_type == "update_progress" and events[-1].event_type == "create_update"
    oldest_first = list(w.pipelines.list_pipeline_events(pipeline_id, order_by=["timestamp asc"]))
    assert [e.id for e in oldest_first] == [e.id for e in reversed(events)]
    raw = w.api_client.do(
        "GET", f"/api/2.0/pipelines/{pipeline_id}/events", query={"filter": f"update_id = '{update_id}'"}
    )["events"]  # the SDK's PipelineEvent has no `details`; clients read them from the JSON
    progress = [
        e["details"]["flow_progress"]
        for e in raw
        if e["event_type"] == "flow_progress" and e["origin"]["flow_name"] == "evens"
    ]
    completed = next(p for p in progress if p["status"] == "COMPLETED")
    assert completed["metrics"]["num_output_rows"] == 5
    quality = {
        e["name"]: (e["passed_records"], e["failed_records"])
        for e in completed["data_quality"]["expectations"]
    }
    assert quality["even"] == (5, 5) and completed["data_quality"]["dropped_records"] == 5
    assert not list(w.pipelines.list_pipeline_events(pipeline_id, filter="level in ('ERROR', 'WARN')"))
    later = list(
        w.pipelines.list_pipeline_events(pipeline_id, filter="level='INFO' AND timestamp > '2000-01-01'")
    )
    assert len(later) == len(events)
    with pytest.raises(BadRequest, match="cannot filter on"):
        list(w.pipelines.list_pipeline_events(pipeline_id, filter="flow = 'x'"))

    assert [u.update_id for u in w.pipelines.list_updates(pipeline_id).updates] == [update_id]
    latest = w.pipelines.get(pipeline_id).latest_updates
    assert (latest[0].update_id, latest[0].state.value) == (update_id, "COMPLETED")

    table = w.tables.get(f"main.{schema}.doubled")
    assert table.pipeline_id == pipeline_id and [c.name for c in table.columns] == ["twice"]
    assert table.table_type.value == "MATERIALIZED_VIEW"
    assert w.tables.get(f"main.{schema}.streamed").table_type.value == "STREAMING_TABLE"
    # Another task's session sees the pipeline's tables.
    run_id = w.jobs.submit(
        run_name="reads-pipeline",
        tasks=[py("read", "sql.py", f"SELECT sum(twice) AS s FROM main.{schema}.doubled")],
    ).run_id
    assert finish(w, run_id).state.result_state.value == "SUCCESS"
    assert "Row(s=40)" in logs_of(w, run_id)


def test_a_running_pipeline_refuses_a_second_update_and_stops_on_request(
    w: Any, scratch: str, tmp_path: Path
) -> None:
    upload(w, f"{scratch}/slow.py", SLOW)
    marker = tmp_path / "started"
    pipeline_id = w.pipelines.create(
        name=f"slow-{uuid.uuid4().hex[:8]}",
        catalog="main",
        schema=f"s_{uuid.uuid4().hex[:8]}",
        configuration={"marker": str(marker)},
        libraries=files(f"/Workspace{scratch}/slow.py"),
    ).pipeline_id
    update_id = w.pipelines.start_update(pipeline_id, full_refresh=True).update_id
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists()
    assert w.pipelines.get(pipeline_id).state.value == "RUNNING"

    with pytest.raises(ResourceConflict, match="active update"):
        w.pipelines.start_update(pipeline_id)

    started = time.monotonic()
    w.api_client.do("POST", f"/api/2.0/pipelines/{pipeline_id}/stop")
    update = wait_update(w, pipeline_id, update_id, timeout=180)
    assert update.state.value == "CANCELED" and update.full_refresh
    assert time.monotonic() - started < 120  # far less than the flow's sleep, even on a busy machine
    assert w.pipelines.get(pipeline_id).state.value == "IDLE"
    w.pipelines.stop(pipeline_id)  # nothing to stop: a no-op


def test_a_library_missing_from_the_workspace_fails_the_update_by_its_path(w: Any) -> None:
    pipeline_id = w.pipelines.create(
        name=f"missing-{uuid.uuid4().hex[:8]}", libraries=files("/Workspace/Shared/nowhere/x.py")
    ).pipeline_id
    update_id = w.pipelines.start_update(pipeline_id).update_id
    assert wait_update(w, pipeline_id, update_id).state.value == "FAILED"
    errors = list(w.pipelines.list_pipeline_events(pipeline_id, filter="level = 'ERROR'"))
    assert "/Workspace/Shared/nowhere/x.py does not exist" in errors[0].error.exceptions[0].message
    assert w.pipelines.get(pipeline_id).health.value == "UNHEALTHY"


def test_events_page_with_tokens_that_carry_the_query(w: Any, scratch: str) -> None:
    upload(w, f"{scratch}/bronze.py", BRONZE)
    pipeline_id = w.pipelines.create(
        name=f"pages-{uuid.uuid4().hex[:8]}", libraries=files(f"/Workspace{scratch}/bronze.py")
    ).pipeline_id
    update_id = w.pipelines.start_update(pipeline_id, validate_only=True).update_id
    assert wait_update(w, pipeline_id, update_id).state.value == "COMPLETED"
    path = f"/api/2.0/pipelines/{pipeline_id}/events"
    first = w.api_client.do("GET", path, query={"max_results": 2, "order_by": "timestamp asc"})
    second = w.api_client.do("GET", path, query={"page_token": first["next_page_token"], "max_results": 2})
    rest = w.api_client.do("GET", path, query={"page_token": second["next_page_token"]})
    everything = w.api_client.do("GET", path, query={"order_by": "timestamp asc"})["events"]
    paged = first["events"] + second["events"] + rest["events"]
    assert [e["id"] for e in paged] == [e["id"] for e in everything] and len(everything) > 4
    assert second["prev_page_token"] and "next_page_token" not in rest
    assert not [e for e in everything if e["event_type"] == "flow_progress"]  # validation runs no flow


def notebook_task(key: str, notebook: str, depends: str | None = None, **params: str) -> jobs.Task:
    return jobs.Task(
        task_key=key,
        notebook_task=jobs.NotebookTask(notebook_path=notebook, base_parameters=params or None),
        depends_on=[jobs.TaskDependency(task_key=depends)] if depends else None,
    )


INGEST = """# Databricks notebook source
import json
rows = [{"id": i, "amount": float(i * 10 - 20)} for i in range(6)]
dbutils.fs.put(dbutils.widgets.get("path") + "/batch.json", "\\n".join(json.dumps(r) for r in rows), True)
"""
CLEAN = """
import dlt

@dlt.table
@dlt.expect_or_drop("positive", "amount > 0")
def clean():
    return (
        spark.readStream.format("cloudFiles").option("cloudFiles.format", "json")
        .schema("id LONG, amount DOUBLE").load(spark.conf.get("landing"))
    )
"""
STRICT = """
import dlt

@dlt.table
@dlt.expect_or_fail("tiny", "id < 2")
def strict():
    return spark.range(5)
"""
REPORT = """# Databricks notebook source
n = spark.sql(f"SELECT count(*) AS n FROM main.{dbutils.widgets.get('schema')}.clean").first()["n"]
dbutils.notebook.exit(str(n))
"""


def test_a_job_runs_notebook_then_pipeline_then_a_notebook_that_reads_its_table(w: Any, scratch: str) -> None:
    schema = f"j_{uuid.uuid4().hex[:8]}"
    w.schemas.create(name=schema, catalog_name="main")
    w.volumes.create(catalog_name="main", schema_name=schema, name="landing", volume_type=VolumeType.MANAGED)
    landing = f"/Volumes/main/{schema}/landing/in"
    upload(w, f"{scratch}/ingest.py", INGEST)
    upload(w, f"{scratch}/clean.py", CLEAN)
    upload(w, f"{scratch}/report.py", REPORT)
    pipeline_id = w.pipelines.create(
        name=f"job-{schema}",
        catalog="main",
        schema=schema,
        configuration={"landing": landing},
        libraries=files(f"/Workspace{scratch}/clean.py"),
    ).pipeline_id
    job_id = w.jobs.create(
        name=f"etl-{schema}",
        tasks=[
            notebook_task("ingest", f"{scratch}/ingest", path=landing),
            jobs.Task(
                task_key="refresh",
                depends_on=[jobs.TaskDependency(task_key="ingest")],
                pipeline_task=jobs.PipelineTask(pipeline_id=pipeline_id, full_refresh=True),
            ),
            notebook_task("report", f"{scratch}/report", "refresh", schema=schema),
        ],
    ).job_id

    run = finish(w, w.jobs.run_now(job_id).run_id, timeout=120)

    tasks = {t.task_key: t for t in run.tasks}
    assert {k: t.state.result_state.value for k, t in tasks.items()} == dict.fromkeys(tasks, "SUCCESS")
    assert w.jobs.get_run_output(tasks["report"].run_id).notebook_output.result == "3"
    narration = w.jobs.get_run_output(tasks["refresh"].run_id).logs
    assert "clean: COMPLETED, 3 rows; positive: 3 passed, 3 failed" in narration
    [update] = w.pipelines.list_updates(pipeline_id).updates
    assert (update.cause.value, update.full_refresh, update.state.value) == ("JOB_TASK", True, "COMPLETED")


def test_a_failing_dataset_fails_the_pipeline_task_with_its_name(w: Any, scratch: str) -> None:
    upload(w, f"{scratch}/strict.py", STRICT)
    schema = f"f_{uuid.uuid4().hex[:8]}"
    pipeline_id = w.pipelines.create(
        name=f"strict-{schema}",
        catalog="main",
        schema=schema,
        libraries=files(f"/Workspace{scratch}/strict.py"),
    ).pipeline_id
    upload(w, f"{scratch}/after.py", "# Databricks notebook source\nprint('never')\n")
    run_id = w.jobs.submit(
        run_name="strict",
        tasks=[
            jobs.SubmitTask(task_key="refresh", pipeline_task=jobs.PipelineTask(pipeline_id=pipeline_id)),
            jobs.SubmitTask(
                task_key="after",
                depends_on=[jobs.TaskDependency(task_key="refresh")],
                notebook_task=jobs.NotebookTask(notebook_path=f"{scratch}/after"),
            ),
        ],
    ).run_id

    run = finish(w, run_id, timeout=90)

    tasks = {t.task_key: t for t in run.tasks}
    assert tasks["refresh"].state.result_state.value == "FAILED"
    assert tasks["after"].state.result_state.value == "UPSTREAM_FAILED"
    output = w.jobs.get_run_output(tasks["refresh"].run_id)
    assert "dataset 'strict' failed expectation 'tiny'" in output.error
    assert "strict.py" in output.error_trace


def test_publishing_into_a_catalog_that_does_not_exist_fails_the_update(w: Any, scratch: str) -> None:
    upload(w, f"{scratch}/plain.py", "import dlt\n@dlt.table\ndef plain():\n    return spark.range(3)\n")
    upload(
        w,
        f"{scratch}/elsewhere.py",
        "import dlt\n@dlt.table(name='nope.s.far')\ndef far():\n    return spark.range(3)\n",
    )
    schema = f"fresh_{uuid.uuid4().hex[:8]}"
    cases = {
        "the pipeline's catalog": ("nope", "s", "plain.py"),
        "dataset 'nope.s.far'": ("main", "x", "elsewhere.py"),
    }
    for what, (catalog, target, library) in cases.items():
        pipeline_id = w.pipelines.create(
            name=f"nocat-{uuid.uuid4().hex[:8]}",
            catalog=catalog,
            schema=target,
            libraries=files(f"/Workspace{scratch}/{library}"),
        ).pipeline_id
        update_id = w.pipelines.start_update(pipeline_id).update_id
        assert wait_update(w, pipeline_id, update_id).state.value == "FAILED"
        errors = list(w.pipelines.list_pipeline_events(pipeline_id, filter="level = 'ERROR'"))
        message = errors[0].error.exceptions[0].message
        assert f"Catalog 'nope' of {what} does not exist" in message, message

    # A schema that does not exist yet is created by the update, as on Databricks.
    pipeline_id = w.pipelines.create(
        name=f"newschema-{schema}",
        catalog="main",
        schema=schema,
        libraries=files(f"/Workspace{scratch}/plain.py"),
    ).pipeline_id
    update_id = w.pipelines.start_update(pipeline_id).update_id
    assert wait_update(w, pipeline_id, update_id).state.value == "COMPLETED"
    assert w.tables.get(f"main.{schema}.plain").pipeline_id == pipeline_id
