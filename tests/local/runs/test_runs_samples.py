"""Sample data in job runs: the `samples` catalog, `/databricks-datasets`, bare DBFS paths."""

from __future__ import annotations

import io
from typing import Any

import pytest
from databricks.sdk.service import jobs
from databricks.sdk.service.workspace import ImportFormat

from tests.local.runs.conftest import finish

pytestmark = [pytest.mark.server, pytest.mark.engine]

FILES = """\
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
geo = spark.read.csv("/databricks-datasets/samples/population-vs-price/data_geo.csv", header=True)
print("geo", geo.count(), geo.columns[1])
spark.range(3).write.mode("overwrite").parquet("/FileStore/tables/three")
print("three", spark.read.parquet("dbfs:/FileStore/tables/three").count())
try:
    spark.read.json("/databricks-datasets/no/such/folder").count()
except Exception as err:
    print("missing", type(err).__name__, err)
"""


def test_tasks_read_the_samples_catalog_and_databricks_datasets(w: Any, py: Any, scratch: str) -> None:
    w.workspace.upload(f"{scratch}/files.py", io.BytesIO(FILES.encode()), format=ImportFormat.AUTO)
    files = jobs.SparkPythonTask(python_file=f"/Workspace{scratch}/files.py")
    run = finish(
        w,
        w.jobs.submit(
            run_name="samples",
            tasks=[
                py(
                    "tables",
                    "sql.py",
                    "SELECT count(*) AS n FROM samples.nyctaxi.trips",
                    "SELECT count(*) AS c FROM samples.tpch.orders o "
                    "JOIN samples.tpch.customer c ON o.o_custkey = c.c_custkey",
                    "SELECT count(*) AS b FROM samples.bakehouse.sales_transactions",
                ),
                jobs.SubmitTask(task_key="files", spark_python_task=files),
            ],
        ).run_id,
    )
    assert run.state.result_state == jobs.RunResultState.SUCCESS, run.state.state_message
    logs = {t.task_key: w.jobs.get_run_output(t.run_id).logs for t in run.tasks}
    assert "n=21932" in logs["tables"] and "c=1500" in logs["tables"] and "b=3333" in logs["tables"]
    assert "geo 16 City" in logs["files"]
    assert "three 3" in logs["files"]
    assert (
        "missing AnalysisException [PATH_NOT_FOUND] Path does not exist: dbfs:/databricks-datasets/no/such/folder"
        in logs["files"]
    )
    assert "trips" in [t.name for t in w.tables.list(catalog_name="samples", schema_name="nyctaxi")]
