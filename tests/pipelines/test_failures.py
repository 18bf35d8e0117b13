"""Failing updates: expect_or_fail, broken queries, bad graphs. Committed tables must stay intact."""

from __future__ import annotations

import pytest

from tests.pipelines.conftest import Project

pytestmark = pytest.mark.engine

GUARDED = """
    import dlt

    @dlt.table
    def readings():
        return spark.readStream.format("cloudFiles").option("cloudFiles.format", "json") \\
            .option("cloudFiles.inferColumnTypes", "true").load(spark.conf.get("data") + "/readings")

    @dlt.table
    @dlt.expect_or_fail("valid_sensor", "sensor IS NOT NULL")
    @dlt.expect("plausible", "value < 100")
    def checked():
        return dlt.read_stream("readings")

    @dlt.table
    def summary():
        return dlt.read("checked").groupBy("sensor").count()

    @dlt.table
    def unrelated():
        return spark.range(3)
"""


def test_expect_or_fail_stops_the_flow_and_leaves_committed_tables_intact(project: Project) -> None:
    source = project.source("guarded.py", GUARDED)
    project.data_file("readings/1.json", '{"sensor": "a", "value": 1}\n{"sensor": "b", "value": 200}\n')
    first = project.ok()
    assert first.completed("checked")["data_quality"]["expectations"][1] == {
        "name": "plausible",
        "dataset": "checked",
        "passed_records": 1,
        "failed_records": 1,
    }

    project.data_file("readings/2.json", '{"sensor": null, "value": 5}\n{"sensor": "c", "value": 6}\n')
    second = project.update()

    result = second.result
    assert result.state == "FAILED"
    assert result.error_dataset == "checked"
    assert result.error_file == str(source)
    assert "valid_sensor" in (result.error or "") and '"value": 5' in (result.error or "")
    assert result.flows["checked"].status == "FAILED"
    assert result.flows["summary"].status == "SKIPPED"
    assert result.flows["unrelated"].status == "COMPLETED"
    assert result.flows["readings"].status == "COMPLETED"
    failed = second.flow_events("checked", "FAILED")[0]
    assert (
        failed["level"] == "ERROR"
        and failed["error"]["exceptions"][0]["class_name"] == "ExpectationViolation"
    )
    assert second.events[-1]["details"]["update_progress"]["state"] == "FAILED"
    assert project.count("checked") == 2  # the rows of the first update, nothing of the failed batch
    assert project.rows("summary", "sensor") == [{"sensor": "a", "count": 1}, {"sensor": "b", "count": 1}]

    # Fixing the data needs a full refresh; a stream cannot follow its source being rewritten.
    project.data_file("readings/2.json", '{"sensor": "d", "value": 5}\n{"sensor": "c", "value": 6}\n')
    partial = project.ok(full_refresh_selection=("readings",))
    assert partial.result.flows["checked"].status == "EXCLUDED"
    follow_up = project.update()
    assert follow_up.result.state == "FAILED"
    assert "Fully refresh 'checked'" in (follow_up.result.error or "")
    project.ok(full_refresh_selection=("readings", "checked"))
    assert project.count("checked") == 4


def test_a_query_error_names_the_dataset_and_its_file(project: Project) -> None:
    source = project.source(
        "broken.py",
        """
        import dlt

        @dlt.table
        def fine():
            return spark.range(2)

        @dlt.table
        def broken():
            return dlt.read("fine").select("no_such_column")
        """,
    )

    update = project.update()

    assert update.result.state == "FAILED"
    assert update.result.error_dataset == "broken"
    assert update.result.error_file == str(source)
    assert "no_such_column" in (update.result.error or "")
    assert not project.spark.catalog.tableExists(
        f"main.{project.schema}.fine"
    )  # analysis fails before writes


def test_a_cycle_is_an_error_naming_the_file_and_datasets(project: Project) -> None:
    source = project.source(
        "cycle.py",
        """
        import dlt

        @dlt.table
        def a():
            return dlt.read("c")

        @dlt.table
        def b():
            return dlt.read("a")

        @dlt.table
        def c():
            return dlt.read("b")
        """,
    )

    result = project.update().result

    assert result.state == "FAILED"
    assert "cycle" in (result.error or "") and "a -> c -> b -> a" in (result.error or "")
    assert result.error_dataset == "a"
    assert result.error_file == str(source)


def test_an_unknown_reference_is_an_error_naming_the_file_and_dataset(project: Project) -> None:
    project.source("ok.py", "import dlt\n\n@dlt.table\ndef present():\n    return spark.range(1)\n")
    source = project.source(
        "typo.sql",
        "CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n FROM LIVE.presnt;\n",
    )

    result = project.update().result

    assert result.state == "FAILED"
    assert result.error_dataset == "totals"
    assert result.error_file == str(source)
    assert "'LIVE.presnt', which is not defined in this pipeline" in (result.error or "")


def test_a_syntax_error_in_a_source_file_names_the_file_and_line(project: Project) -> None:
    source = project.source("bad.py", "import dlt\n\n@dlt.table\ndef x(:\n    pass\n")

    result = project.update().result

    assert result.state == "FAILED"
    assert result.error_file == str(source)
    assert f"{source}:4: syntax error" in (result.error or "")


def test_validate_only_checks_the_graph_without_writing(project: Project) -> None:
    project.source(
        "valid.py",
        """
        import dlt

        @dlt.table
        def numbers():
            return spark.range(3)

        @dlt.table
        @dlt.expect("bad_column", "nope > 1")
        def doubled():
            return dlt.read("numbers").selectExpr("id * 2 AS id")
        """,
    )

    update = project.update(validate_only=True)

    assert update.result.state == "FAILED"
    assert "expectation 'bad_column' on dataset 'doubled'" in (update.result.error or "")
    assert not (project.storage / "tables").exists()
    assert not project.spark.catalog.databaseExists(f"main.{project.schema}")


def test_validate_only_succeeds_on_a_good_graph_and_writes_nothing(project: Project) -> None:
    project.source("valid.py", "import dlt\n\n@dlt.table\ndef numbers():\n    return spark.range(3)\n")

    update = project.ok(validate_only=True)

    states = [e["details"]["update_progress"]["state"] for e in update.sink.of_type("update_progress")]
    assert states == ["INITIALIZING", "SETTING_UP_TABLES", "COMPLETED"]
    assert update.sink.of_type("flow_definition") and not update.sink.of_type("flow_progress")
    assert not (project.storage / "tables").exists()


def test_a_failed_full_refresh_keeps_the_table_and_its_checkpoint(project: Project) -> None:
    project.source(
        "limited.py",
        """
        import dlt

        @dlt.table
        @dlt.expect_or_fail("below_max", f"n < {spark.conf.get('max')}")
        def numbers():
            return spark.readStream.format("cloudFiles").option("cloudFiles.format", "json") \\
                .option("cloudFiles.inferColumnTypes", "true").load(spark.conf.get("data") + "/n")
        """,
    )
    project.data_file("n/1.json", '{"n": 1}\n{"n": 5}\n')
    project.configuration["max"] = "100"
    project.ok()

    project.configuration["max"] = "3"
    assert project.update(full_refresh=True).result.state == "FAILED"
    assert project.count("numbers") == 2

    project.configuration["max"] = "100"
    project.data_file("n/2.json", '{"n": 7}\n')
    update = project.ok()
    assert update.rows_out("numbers") == 1
    assert sorted(r["n"] for r in project.rows("numbers")) == [1, 5, 7]


def test_a_notebook_named_with_a_dot_runs_and_a_pipeline_without_datasets_fails(project: Project) -> None:
    """Notebooks are stored without their extension: `02.silver` is a notebook, not a `.silver` file.
    A pipeline whose files define nothing fails, as on Databricks, instead of completing empty."""
    project.source(
        "02.silver",
        "# Databricks notebook source\nimport dlt\n\n@dlt.table\ndef layered():\n    return spark.range(2)\n",
    )
    assert project.ok().completed("layered")
    project.libraries.clear()
    project.source("notes.py", "# Databricks notebook source\nprint('no tables here')\n")

    result = project.update().result

    assert result.state == "FAILED"
    assert "[NO_TABLES_IN_PIPELINE]" in (result.error or "")
