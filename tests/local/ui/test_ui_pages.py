"""Every page of the web UI, in a real browser, on what the SDK created: a job run with a failed
task (graph, output, repair), a run followed live, a pipeline update (dataset graph, expectations,
event log), the catalog down to a table's rows and history and a volume's files, a notebook, and
the metrics page. Each page is saved as a screenshot."""

from __future__ import annotations

import io
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.service import jobs, pipelines
from databricks.sdk.service.catalog import VolumeType
from databricks.sdk.service.workspace import ImportFormat

from brickyard.local.lifecycle import LocalWorkspace
from tests.local.conftest import USER
from tests.local.runs.conftest import finish
from tests.local.ui.conftest import shot

pytestmark = pytest.mark.engine

NOTEBOOK = """# Databricks notebook source
# MAGIC %md
# MAGIC # Daily orders <script>window.__xss = 1</script>
# MAGIC Counts *every* order.

# COMMAND ----------

print("hello from the notebook")
dbutils.notebook.exit("exit-value-42")
"""
FAILING = "print('about to fail')\nraise ValueError('boom went the task')\n"
WAITING = (
    "import pathlib, sys, time\n"
    "deadline = time.monotonic() + 120\n"
    "while not pathlib.Path(sys.argv[1]).exists() and time.monotonic() < deadline:\n"
    "    time.sleep(0.05)\n"
    "print('released')\n"
)
PIPELINE = """
import dlt

@dlt.table
@dlt.expect_or_drop("even", "id % 2 = 0")
def evens():
    return spark.range(10)

@dlt.table
def doubled():
    return dlt.read("evens").selectExpr("id * 2 AS twice")
"""


@dataclass(frozen=True)
class Shop:
    folder: str
    job_id: int
    run_id: int
    pipeline_id: str
    schema: str


def upload(w: Any, path: str, text: str) -> None:
    w.workspace.upload(path, io.BytesIO(text.encode()), format=ImportFormat.AUTO, overwrite=True)


@pytest.fixture(scope="module")
def shop(w: Any) -> Shop:
    folder = f"/Users/{USER}/ui-{uuid.uuid4().hex[:6]}"
    w.workspace.mkdirs(folder)
    upload(w, f"{folder}/daily.py", NOTEBOOK)  # a notebook, stored as `daily`
    upload(w, f"{folder}/fail.py", FAILING)
    upload(w, f"{folder}/wait.py", WAITING)
    upload(w, f"{folder}/pipeline.py", PIPELINE)
    job_id = w.jobs.create(
        name="ui orders",
        tasks=[
            jobs.Task(task_key="extract", notebook_task=jobs.NotebookTask(notebook_path=f"{folder}/daily")),
            jobs.Task(
                task_key="load",
                depends_on=[jobs.TaskDependency("extract")],
                spark_python_task=jobs.SparkPythonTask(python_file=f"/Workspace{folder}/fail.py"),
            ),
        ],
    ).job_id
    run_id = finish(w, w.jobs.run_now(job_id).run_id).run_id
    schema = f"ui_{uuid.uuid4().hex[:6]}"
    pipeline_id = w.pipelines.create(
        name=f"ui orders pipeline {schema}",
        catalog="main",
        schema=schema,
        libraries=[
            pipelines.PipelineLibrary(file=pipelines.FileLibrary(path=f"/Workspace{folder}/pipeline.py"))
        ],
    ).pipeline_id
    update_id = w.pipelines.start_update(pipeline_id).update_id
    deadline = time.monotonic() + 90
    while w.pipelines.get_update(pipeline_id, update_id).update.state.value not in ("COMPLETED", "FAILED"):
        assert time.monotonic() < deadline, "the pipeline update did not finish"
        time.sleep(0.1)
    w.volumes.create("main", schema, "landing", VolumeType.MANAGED)
    w.files.upload(f"/Volumes/main/{schema}/landing/orders.csv", io.BytesIO(b"id\n1\n2\n"))
    return Shop(folder, job_id, run_id, pipeline_id, schema)


def test_jobs_list_and_a_job_page_with_its_runs(page: Any, local_ws: LocalWorkspace, shop: Shop) -> None:
    page.click("header >> text=Jobs")
    row = page.locator("tr", has=page.locator(f"a[href='/jobs/{shop.job_id}']"))
    assert "FAILED" in row.inner_text()
    shot(page, "jobs")
    row.locator(f"a[href='/jobs/{shop.job_id}']").first.click()
    assert page.locator("h1").inner_text() == "ui orders"
    tasks = page.locator("table").first.inner_text()
    assert "extract" in tasks and "notebook" in tasks and "load" in tasks
    assert page.locator(f"a[href='/jobs/{shop.job_id}/runs/{shop.run_id}']").count() == 1
    assert page.locator(".bars span.bad").count() >= 1  # the failed run in the duration chart
    shot(page, "job")
    assert page.goto(f"{local_ws.host}/jobs/999999").status == 404  # the API's 400 "does not exist"


def test_a_run_page_draws_the_task_graph_shows_output_and_repairs_the_failed_task(
    page: Any, local_ws: LocalWorkspace, shop: Shop, w: Any
) -> None:
    page.goto(f"{local_ws.host}/jobs/{shop.job_id}/runs/{shop.run_id}")
    assert page.locator("svg.graph g.node[data-key=extract]").get_attribute("class") == "node good"
    assert page.locator("svg.graph g.node[data-key=load]").get_attribute("class") == "node bad"
    assert page.locator("svg.graph path.edge").count() == 1
    extract = page.locator("#task-extract").inner_text()
    assert "hello from the notebook" in extract and "exit-value-42" in extract
    assert "ValueError: boom went the task" in page.locator("#task-load pre.error").inner_text()
    shot(page, "run")

    page.click("text=Repair run")
    page.wait_for_function("document.querySelector('main').innerText.includes('Repairs')", timeout=60_000)
    assert len(w.jobs.get_run(shop.run_id).repair_history or []) == 2
    finish(w, shop.run_id)
    page.wait_for_selector("h1 .badge.bad", timeout=60_000)  # the task fails again: still failed


def test_a_running_run_updates_in_place_until_it_ends(
    page: Any, local_ws: LocalWorkspace, shop: Shop, w: Any, tmp_path: Path
) -> None:
    release = tmp_path / "release"
    task = jobs.SparkPythonTask(python_file=f"/Workspace{shop.folder}/wait.py", parameters=[str(release)])
    job_id = w.jobs.create(name="ui live", tasks=[jobs.Task(task_key="wait", spark_python_task=task)]).job_id
    page.goto(f"{local_ws.host}/jobs/{job_id}")
    page.click("text=Run now")
    page.wait_for_url(f"{local_ws.host}/jobs/{job_id}/runs/*")
    page.wait_for_selector("svg.graph g.node.live[data-key=wait]")
    page.evaluate("window.__same_page = true")
    release.touch()
    page.wait_for_selector("h1 .badge.good", timeout=60_000)
    assert page.evaluate("window.__same_page") is True  # updated without reloading the page
    assert "released" in page.locator("#task-wait").inner_text()
    assert page.locator("main[data-live]").count() == 0  # and stopped polling


def test_a_pipeline_page_shows_the_dataset_graph_rows_expectations_and_event_log(
    page: Any, local_ws: LocalWorkspace, shop: Shop
) -> None:
    page.click("header >> text=Pipelines")
    page.click(f"a[href='/pipelines/{shop.pipeline_id}']")
    assert page.locator("svg.graph g.node[data-key=evens]").count() == 1
    assert "5 rows" in (page.locator("svg.graph g.node[data-key=doubled]").text_content() or "")
    assert page.locator("svg.graph path.edge").count() == 1
    evens = page.locator("tr.dataset").first.locator("td").all_text_contents()
    assert evens == ["evens", "", "5", "even", "5", "5"]
    log = page.locator("table.events").inner_text()
    assert "flow_progress" in log and "COMPLETED" in log
    shot(page, "pipeline")


def test_the_catalog_down_to_a_table_and_a_volume(page: Any, local_ws: LocalWorkspace, shop: Shop) -> None:
    page.click("header >> text=Catalog")
    page.click("a[href='/explore/data/main']")
    page.click(f"a[href='/explore/data/main/{shop.schema}']")
    assert page.locator(f"a[href='/explore/data/volumes/main/{shop.schema}/landing']").count() == 1
    shot(page, "schema")
    page.click(f"a[href='/explore/data/main/{shop.schema}/evens']")
    assert page.locator("table.columns").inner_text().count("id") == 1
    assert page.locator("table.sample th").all_text_contents() == ["id"]
    assert page.locator("table.sample td").all_text_contents() == ["0", "2", "4", "6", "8"]
    assert page.locator("table.history tr").count() >= 2  # header and version 0
    shot(page, "table")
    page.goto(f"{local_ws.host}/explore/data/volumes/main/{shop.schema}/landing")
    assert "orders.csv" in page.locator("table.files").inner_text()
    assert page.goto(f"{local_ws.host}/explore/data/main/{shop.schema}/nope").status == 404


def test_the_workspace_tree_and_a_notebook_rendered_safely(
    page: Any, local_ws: LocalWorkspace, shop: Shop
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.click("header >> text=Workspace")
    page.click("a[href='/workspace/Users']")
    page.goto(f"{local_ws.host}/workspace{shop.folder}")
    assert {"daily", "fail.py", "pipeline.py"} <= set(page.locator("table.tree a").all_inner_texts())
    page.click(f"a[href='/workspace{shop.folder}/daily']")
    assert page.locator(".cell.markdown h1").inner_text() == "Daily orders <script>window.__xss = 1</script>"
    assert page.locator(".cell.markdown em").inner_text() == "every"
    assert "hello from the notebook" in page.locator(".cell.code pre").inner_text()
    assert page.evaluate("window.__xss") is None and dialogs == []
    shot(page, "notebook")


def test_the_metrics_page(page: Any, local_ws: LocalWorkspace, shop: Shop) -> None:
    page.click("header >> text=Metrics")
    job = page.locator(
        "table.job-metrics tr", has=page.locator(f"a[href='/jobs/{shop.job_id}']")
    ).inner_text()
    assert "0 %" in job  # every run of it failed
    rows = page.locator("table.dataset-metrics tr", has_text="doubled").first.inner_text()
    assert "5" in rows
    shot(page, "metrics")


def test_compute_lists_clusters_and_warehouses_with_the_runs_that_used_them(
    page: Any, local_ws: LocalWorkspace, w: Any, shop: Shop
) -> None:
    name = f"ui-cluster-{uuid.uuid4().hex[:6]}"
    cluster_id = w.clusters.create(
        cluster_name=name,
        spark_version="15.4.x-scala2.12",
        num_workers=2,
        spark_conf={"spark.sql.shuffle.partitions": "8"},
        custom_tags={"team": "orders"},
    ).cluster_id
    warehouse = next(iter(w.warehouses.list()))
    upload(w, f"{shop.folder}/count.sql", "SELECT 1 AS one;\n")
    upload(w, f"{shop.folder}/hello.py", "print('on the cluster')\n")
    job_id = w.jobs.create(
        name="ui compute",
        tasks=[
            jobs.Task(
                task_key="on_cluster",
                existing_cluster_id=cluster_id,
                spark_python_task=jobs.SparkPythonTask(python_file=f"/Workspace{shop.folder}/hello.py"),
            ),
            jobs.Task(
                task_key="on_warehouse",
                sql_task=jobs.SqlTask(
                    warehouse_id=warehouse.id,
                    file=jobs.SqlTaskFile(path=f"/Workspace{shop.folder}/count.sql"),
                ),
            ),
        ],
    ).job_id
    run = finish(w, w.jobs.run_now(job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS

    page.click("header >> text=Compute")
    clusters = page.locator("table").first.inner_text()
    assert name in clusters and "RUNNING" in clusters and "2 workers" in clusters
    assert warehouse.name in page.locator("table").nth(1).inner_text()
    shot(page, "compute")
    page.click(f"a[href='/compute/clusters/{cluster_id}']")
    assert name in page.locator("h1").inner_text() and "RUNNING" in page.locator("h1").inner_text()
    body = page.locator("main").inner_text()
    assert "15.4.x-scala2.12" in body and "spark.sql.shuffle.partitions" in body and "team" in body
    used = page.locator("tr", has=page.locator(f"a[href='/jobs/{job_id}/runs/{run.run_id}']"))
    assert used.count() == 1 and "on_cluster" in used.inner_text() and "SUCCESS" in used.inner_text()
    shot(page, "cluster")
    page.goto(f"{local_ws.host}/sql/warehouses/{warehouse.id}")
    assert warehouse.name in page.locator("h1").inner_text()
    assert f"/sql/1.0/warehouses/{warehouse.id}" in page.locator("main").inner_text()
    used = page.locator("tr", has=page.locator(f"a[href='/jobs/{job_id}/runs/{run.run_id}']"))
    assert used.count() == 1 and "on_warehouse" in used.inner_text()
    shot(page, "warehouse")
    page.goto(f"{local_ws.host}/#setting/clusters/{cluster_id}/configuration")  # the link summary prints
    page.wait_for_url(f"{local_ws.host}/compute/clusters/{cluster_id}")
    assert page.goto(f"{local_ws.host}/compute/clusters/no-such-cluster").status == 404
    assert page.goto(f"{local_ws.host}/sql/warehouses/no-such-warehouse").status == 404
