"""End-to-end updates of Python pipelines (`import dlt` and `from pyspark import pipelines as dp`)."""

from __future__ import annotations

import pytest
from databricks.sdk.service.pipelines import PipelineEvent

from brickyard.pipelines import ListSink, run_update
from tests.pipelines.conftest import Project

pytestmark = pytest.mark.engine

ORDERS = """
    import dlt
    from pyspark.sql import functions as F

    @dlt.table(comment="orders as they arrive")
    def bronze():
        return (
            spark.readStream.format("cloudFiles")
            .option("cloudFiles.format", "csv")
            .option("header", "true")
            .load(spark.conf.get("data") + "/orders")
        )

    @dlt.table
    @dlt.expect("has_customer", "customer IS NOT NULL")
    @dlt.expect_or_drop("positive_amount", "amount > 0")
    def silver():
        return dlt.read_stream("bronze").select("id", "customer", F.col("amount").cast("int").alias("amount"))

    @dlt.materialized_view
    def gold():
        return dlt.read("silver").groupBy("customer").agg(F.sum("amount").alias("total"))
"""

BATCH_1 = """
    id,customer,amount
    1,ann,10
    2,bob,-5
    3,,7
    4,ann,3
"""


def test_a_dlt_pipeline_materializes_every_dataset_with_expectation_counts(project: Project) -> None:
    project.source("orders.py", ORDERS)
    project.data_file("orders/1.csv", BATCH_1)

    update = project.ok()

    assert project.count("bronze") == 4
    assert [r["id"] for r in project.rows("silver", "id")] == ["1", "3", "4"]
    assert project.rows("gold", "customer") == [
        {"customer": None, "total": 7},
        {"customer": "ann", "total": 13},
    ]
    silver = update.completed("silver")
    assert silver["metrics"]["num_output_rows"] == 3
    assert silver["data_quality"] == {
        "dropped_records": 1,
        "expectations": [
            {"name": "has_customer", "dataset": "silver", "passed_records": 3, "failed_records": 1},
            {"name": "positive_amount", "dataset": "silver", "passed_records": 3, "failed_records": 1},
        ],
    }
    assert update.rows_out("bronze") == 4


def test_auto_loader_columns_are_strings_with_a_rescued_data_column(project: Project) -> None:
    project.source("orders.py", ORDERS)
    project.data_file("orders/1.csv", BATCH_1)

    project.ok()

    schema = project.spark.table(f"main.{project.schema}.bronze").schema
    assert [(f.name, f.dataType.simpleString()) for f in schema.fields] == [
        ("id", "string"),
        ("customer", "string"),
        ("amount", "string"),
        ("_rescued_data", "string"),
    ]


def test_the_event_log_has_the_databricks_shape_and_order(project: Project) -> None:
    project.source("orders.py", ORDERS)
    project.data_file("orders/1.csv", BATCH_1)

    update = project.ok()

    events = update.events
    for event in events:
        parsed = PipelineEvent.from_dict(event)
        assert parsed.origin is not None and parsed.origin.pipeline_id == f"pipeline-{project.schema}"
        assert parsed.origin.update_id == update.result.update_id
        assert parsed.sequence is not None and parsed.sequence.data_plane_id is not None
        assert set(event["details"]) == {event["event_type"]}
    assert [e["sequence"]["control_plane_seq_no"] for e in events] == list(range(1, len(events) + 1))
    states = [
        e["details"]["update_progress"]["state"] for e in events if e["event_type"] == "update_progress"
    ]
    assert states == ["INITIALIZING", "SETTING_UP_TABLES", "RUNNING", "COMPLETED"]
    assert events[0]["event_type"] == "create_update"
    definitions = {
        e["origin"]["flow_name"]: e["details"]["flow_definition"]
        for e in events
        if e["event_type"] == "flow_definition"
    }
    assert definitions["silver"]["input_datasets"] == ["bronze"]
    assert definitions["silver"]["flow_type"] == "INCREMENTAL"
    assert definitions["gold"]["flow_type"] == "COMPLETE"
    assert [f["name"] for f in definitions["gold"]["schema"]] == ["customer", "total"]
    kinds = {
        e["origin"]["dataset_name"]: e["details"]["dataset_definition"]["dataset_type"]
        for e in events
        if e["event_type"] == "dataset_definition"
    }
    assert kinds == {"bronze": "STREAMING_TABLE", "silver": "STREAMING_TABLE", "gold": "MATERIALIZED_VIEW"}
    statuses = [e["details"]["flow_progress"]["status"] for e in update.flow_events("gold")]
    assert statuses == ["QUEUED", "RUNNING", "COMPLETED"]


def test_pyspark_pipelines_names_and_spark_read_table_of_datasets(project: Project) -> None:
    project.source(
        "dp.py",
        """
        from pyspark import pipelines as dp
        from pyspark.sql import functions as F

        @dp.materialized_view(name="numbers")
        def make_numbers():
            return spark.range(10).withColumn("parity", F.expr("id % 2"))

        @dp.temporary_view
        def evens():
            return spark.read.table("numbers").where("parity = 0")

        @dp.table
        @dp.expect_or_drop("small", "id < 8")
        def small_evens():
            return spark.table("evens")

        @dp.table
        def raw():
            return spark.readStream.format("cloudFiles").option("cloudFiles.format", "json").load(
                spark.conf.get("data") + "/raw"
            )

        dp.create_streaming_table("events", comment="fed by two flows")

        @dp.append_flow(target="events")
        def from_raw():
            return spark.readStream.table("raw").select(F.col("id").cast("long"), F.lit("raw").alias("origin"))

        @dp.append_flow(target="events", once=True)
        def backfill():
            return spark.range(100, 102).select("id", F.lit("backfill").alias("origin"))
        """,
    )

    project.data_file("raw/1.json", "\n".join(f'{{"id": {i}}}' for i in range(10)))

    update = project.ok()

    assert [r["id"] for r in project.rows("small_evens", "id")] == [0, 2, 4, 6]
    assert update.completed("small_evens")["data_quality"]["dropped_records"] == 1
    assert not project.spark.catalog.tableExists(f"main.{project.schema}.evens")
    assert project.count("events") == 12

    project.data_file("raw/2.json", '{"id": 10}')
    again = project.ok()

    assert project.count("events") == 13
    assert again.rows_out("from_raw") == 1
    assert again.rows_out("backfill") == 0


def test_pipeline_code_in_a_databricks_notebook_skips_magic_cells(project: Project) -> None:
    project.source(
        "notebook",
        """
        # Databricks notebook source
        # MAGIC %md
        # MAGIC # Squares

        # COMMAND ----------

        import dlt

        # COMMAND ----------

        # MAGIC %pip install something-not-needed

        # COMMAND ----------

        @dlt.table
        def squares():
            return spark.range(4).selectExpr("id * id AS square")
        """,
        kind="notebook",
    )

    update = project.ok()

    assert [r["square"] for r in project.rows("squares")] == [0, 1, 4, 9]
    notices = [e["message"] for e in update.events if e["event_type"] == "planning_information"]
    assert any("%pip" in n for n in notices) and any("%md" in n for n in notices)


def test_configuration_reaches_spark_conf_get_in_python(project: Project) -> None:
    project.configuration["threshold"] = "3"
    project.source(
        "conf.py",
        """
        import dlt

        limit = int(spark.conf.get("threshold"))

        @dlt.table
        def limited():
            return spark.range(10).where(f"id < {limit}").selectExpr("id", f"'{spark.conf.get('missing', 'dflt')}' AS d")
        """,
    )

    project.ok()

    assert project.rows("limited", "id") == [{"id": i, "d": "dflt"} for i in range(3)]


def test_spark_sql_in_python_resolves_pipeline_datasets(project: Project) -> None:
    project.source(
        "sql_in_python.py",
        """
        import dlt

        @dlt.table
        def base():
            return spark.range(5)

        @dlt.table
        def filtered():
            return spark.sql("SELECT id FROM LIVE.base WHERE id > ${cutoff}")
        """,
    )
    project.configuration["cutoff"] = "2"

    project.ok()

    assert [r["id"] for r in project.rows("filtered", "id")] == [3, 4]


def test_a_pipeline_without_a_target_schema_keeps_tables_in_storage_only(project: Project) -> None:
    project.source("p.py", "import dlt\n\n@dlt.table\ndef hidden():\n    return spark.range(2)\n")

    result = run_update(project.spark, project.spec(catalog=None, schema=None), sink=ListSink())

    assert result.state == "COMPLETED"
    assert (project.storage / "tables" / "hidden" / "_delta_log").is_dir()
    assert not project.spark.catalog.tableExists("hidden")
