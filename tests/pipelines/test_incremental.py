"""Incremental processing: file sources and Delta streams see only what earlier updates did not."""

from __future__ import annotations

from pathlib import Path

import pytest

from brickyard.pipelines import deltalog
from tests.pipelines.conftest import Project

pytestmark = pytest.mark.engine

CHAIN = """
    import dlt
    from pyspark.sql import functions as F

    @dlt.table
    def landed():
        return spark.readStream.format("cloudFiles").option("cloudFiles.format", "json") \\
            .option("cloudFiles.inferColumnTypes", "true").load(spark.conf.get("data") + "/in")

    @dlt.table
    def doubled():
        return dlt.read_stream("landed").select("n", (F.col("n") * 2).alias("twice"))

    @dlt.table
    def total():
        return dlt.read("doubled").agg(F.sum("twice").alias("sum"), F.count("*").alias("rows"))
"""


def _batch(project: Project, name: str, numbers: range) -> None:
    project.data_file(f"in/{name}.json", "\n".join(f'{{"n": {n}}}' for n in numbers) + "\n")


def test_each_update_processes_only_new_files(project: Project) -> None:
    project.source("chain.py", CHAIN)
    _batch(project, "a", range(0, 5))
    first = project.ok()
    assert (first.rows_out("landed"), first.rows_out("doubled")) == (5, 5)

    _batch(project, "b", range(5, 8))
    _batch(project, "nested/c", range(8, 10))
    second = project.ok()

    assert (second.rows_out("landed"), second.rows_out("doubled")) == (5, 5)
    assert project.rows("total") == [{"sum": 90, "rows": 10}]
    assert sorted(r["n"] for r in project.rows("landed")) == list(range(10))


def test_an_update_without_new_files_writes_nothing(project: Project) -> None:
    project.source("chain.py", CHAIN)
    _batch(project, "a", range(3))
    project.ok()
    table = project.storage / "tables" / f"main.{project.schema}.landed"
    version = deltalog.latest_version(table)

    idle = project.ok()

    assert idle.rows_out("landed") == 0 and idle.rows_out("doubled") == 0
    assert deltalog.latest_version(table) == version
    assert project.count("doubled") == 3


def test_full_refresh_starts_over_from_all_files(project: Project) -> None:
    project.source("chain.py", CHAIN)
    _batch(project, "a", range(3))
    project.ok()
    _batch(project, "b", range(3, 4))
    project.ok()

    refreshed = project.ok(full_refresh=True)

    assert refreshed.rows_out("landed") == 4
    assert refreshed.rows_out("doubled") == 4
    assert project.count("landed") == 4
    assert project.rows("total") == [{"sum": 12, "rows": 4}]


def test_refresh_selection_updates_only_the_named_datasets(project: Project) -> None:
    project.source("chain.py", CHAIN)
    _batch(project, "a", range(3))
    project.ok()
    _batch(project, "b", range(3, 5))

    selective = project.ok(refresh_selection=("landed", "doubled"))

    assert selective.result.flows["total"].status == "EXCLUDED"
    assert selective.flow_events("total", "EXCLUDED")
    assert project.rows("total") == [{"sum": 6, "rows": 3}]  # untouched
    assert project.count("doubled") == 5


def test_full_refresh_selection_resets_only_the_named_dataset(project: Project) -> None:
    project.source("chain.py", CHAIN)
    _batch(project, "a", range(3))
    project.ok()

    update = project.ok(full_refresh_selection=("landed",))

    assert update.rows_out("landed") == 3
    assert update.result.flows["doubled"].status == "EXCLUDED"
    assert project.count("landed") == 3


def test_a_stream_over_a_delta_table_outside_the_pipeline_sees_only_new_rows(project: Project) -> None:
    spark = project.spark
    source = f"main.{project.schema}_src.events"
    spark.sql(f"CREATE SCHEMA IF NOT EXISTS main.{project.schema}_src").collect()
    spark.range(3).write.format("delta").mode("overwrite").saveAsTable(source)
    path = project.root / "external_delta"
    spark.range(100, 102).write.format("delta").mode("overwrite").save(str(path))
    project.configuration.update({"source": source, "path": str(path)})
    project.source(
        "external.py",
        """
        import dlt

        @dlt.table
        def copied():
            return spark.readStream.table(spark.conf.get("source"))

        @dlt.table
        def copied_by_path():
            return spark.readStream.format("delta").load(spark.conf.get("path"))
        """,
    )
    project.ok()

    spark.range(3, 5).write.format("delta").mode("append").saveAsTable(source)
    spark.range(102, 103).write.format("delta").mode("append").save(str(path))
    update = project.ok()

    assert update.rows_out("copied") == 2
    assert update.rows_out("copied_by_path") == 1
    assert [r["id"] for r in project.rows("copied", "id")] == [0, 1, 2, 3, 4]
    assert [r["id"] for r in project.rows("copied_by_path", "id")] == [100, 101, 102]


def test_tables_survive_an_engine_restart_and_streams_resume(tmp_path: Path) -> None:
    """Sail's catalog lives in memory; the next update re-registers the tables from storage."""
    from pyspark.sql import SparkSession

    from brickyard.local.engine import Engine, session_conf

    project_root = tmp_path / "project"

    def with_engine(check: object) -> None:
        engine = Engine(tmp_path / "engine")
        url = engine.start()
        builder = SparkSession.builder.remote(url)
        for key, value in session_conf(engine.warehouse).items():
            builder = builder.config(key, value)
        spark = builder.create()
        try:
            check(Project(project_root, spark, "restart"))  # type: ignore[operator]
        finally:
            spark.stop()
            engine.stop()

    def first(project: Project) -> None:
        project.source("chain.py", CHAIN)
        _batch(project, "a", range(3))
        project.ok()

    def second(project: Project) -> None:
        project.source("chain.py", CHAIN)
        assert not project.spark.catalog.tableExists("main.restart.landed")
        _batch(project, "b", range(3, 4))
        update = project.ok()
        assert update.rows_out("landed") == 1
        assert project.count("landed") == 4
        assert project.rows("total") == [{"sum": 12, "rows": 4}]

    with_engine(first)
    with_engine(second)


AUTO_LOADER_DEFAULTS = """
    import dlt

    @dlt.table
    def people():
        return (spark.readStream.format("cloudFiles").option("cloudFiles.format", "csv")
                .option("cloudFiles.schemaHints", "age INT")
                .load(spark.conf.get("data") + "/people"))

    @dlt.table
    def events():
        return (spark.readStream.format("cloudFiles").option("cloudFiles.format", "json")
                .load(spark.conf.get("data") + "/events"))

    @dlt.table
    def users():
        return dlt.read("events").select("user.id", "user.name")
"""


def test_auto_loader_reads_csv_headers_keeps_json_objects_and_takes_schema_hints(project: Project) -> None:
    """As Auto Loader infers: CSV files have a header, a JSON object is a struct of strings, and
    `schemaHints` types the columns they name."""
    project.source("ingest.py", AUTO_LOADER_DEFAULTS)
    project.data_file("people/1.csv", "name,age\nann,41\nbob,7\n")
    project.data_file("events/1.json", '{"kind": "login", "user": {"id": 7, "name": "ann"}}\n')

    project.ok()

    assert project.rows("people", "name") == [
        {"name": "ann", "age": 41, "_rescued_data": None},
        {"name": "bob", "age": 7, "_rescued_data": None},
    ]
    types = {
        f.name: f.dataType.simpleString() for f in project.spark.table(f"main.{project.schema}.events").schema
    }
    assert types["user"] == "struct<id:string,name:string>"
    assert project.rows("users") == [{"id": "7", "name": "ann"}]


FILE_METADATA = """
    import dlt
    from pyspark.sql import functions as F

    @dlt.table
    def raw_orders():
        return (spark.readStream.format("cloudFiles").option("cloudFiles.format", "json")
                .load(spark.conf.get("data") + "/orders")
                .withColumn("source_file", F.col("_metadata.file_name"))
                .withColumn("loaded_from", F.input_file_name()))
"""
FILE_METADATA_SQL = """
    CREATE OR REFRESH STREAMING TABLE raw_lines AS
    SELECT *, _metadata.file_path AS src, _metadata.file_size AS bytes
    FROM STREAM read_files('${data}/orders', format => 'json');
"""


def test_file_sources_carry_the_metadata_column_which_datasets_leave_out(project: Project) -> None:
    """`_metadata` of a file source names the file each row came from; a stored dataset keeps what
    was selected from it, not the hidden column itself (`SELECT *` leaves it out, as on Databricks)."""
    project.source("orders.py", FILE_METADATA)
    project.source("lines.sql", FILE_METADATA_SQL)
    project.data_file("orders/2026/a.json", '{"id": 1}\n{"id": 2}\n')
    project.ok()
    project.data_file("orders/2026/b.json", '{"id": 3}\n')
    project.ok()

    rows = project.rows("raw_orders", "id")
    assert [(r["id"], r["source_file"]) for r in rows] == [("1", "a.json"), ("2", "a.json"), ("3", "b.json")]
    assert rows[0]["loaded_from"].endswith("/orders/2026/a.json")
    lines = project.rows("raw_lines", "id")
    assert "_metadata" not in lines[0] and lines[2]["src"].endswith("/orders/2026/b.json")
    assert [r["bytes"] for r in lines] == [20, 20, 10]
    project.ok()  # no new file: the query still reads the column, of no rows
    assert project.count("raw_orders") == 3
