"""Every expectation form: single and `expect_all*`, on tables, views and streaming-table targets."""

from __future__ import annotations

import pytest

from tests.pipelines.conftest import Project

pytestmark = pytest.mark.engine

READINGS = """
    import dlt
    from pyspark.sql import functions as F

    @dlt.view
    @dlt.expect_or_drop("has_id", "id IS NOT NULL")
    def readings():
        return spark.createDataFrame(
            [(1, 5, "a"), (2, -1, "b"), (None, 3, "c"), (4, None, None), (5, 50, "e")],
            "id int, value int, tag string",
        )

    @dlt.table
    @dlt.expect_all({"non_negative": "value >= 0", "tagged": "tag IS NOT NULL"})
    @dlt.expect_all_or_drop({"small": "value < 10", "positive": "value > 0"})
    def kept():
        return dlt.read("readings")

    dlt.create_streaming_table("target", expect_all_or_drop={"even": "id % 2 = 0"})

    @dlt.append_flow(target="target")
    def into_target():
        return spark.readStream.format("cloudFiles").option("cloudFiles.format", "json") \\
            .option("cloudFiles.inferColumnTypes", "true").load(spark.conf.get("data") + "/ids")
"""


def test_expect_all_counts_each_constraint_and_null_counts_as_failed(project: Project) -> None:
    project.source("readings.py", READINGS)
    project.data_file("ids/1.json", '{"id": 1}\n{"id": 2}\n{"id": 4}\n')

    update = project.ok()

    # The view drops the row without id before `kept` sees it; its count is reported under the view.
    assert [r["id"] for r in project.rows("kept", "id")] == [1]
    quality = update.completed("kept")["data_quality"]
    counts = {
        e["name"]: (e["dataset"], e["passed_records"], e["failed_records"]) for e in quality["expectations"]
    }
    assert counts == {
        "has_id": ("readings", 4, 1),
        "non_negative": ("kept", 2, 2),  # -1 fails, and so does NULL
        "tagged": ("kept", 3, 1),
        "small": ("kept", 2, 2),
        "positive": ("kept", 2, 2),
    }
    assert quality["dropped_records"] == 1 + 3
    assert [r["id"] for r in project.rows("target", "id")] == [2, 4]
    assert update.completed("into_target")["data_quality"]["dropped_records"] == 1


def test_expect_all_or_fail_fails_the_update_before_writing(project: Project) -> None:
    project.source(
        "strict.py",
        """
        import dlt

        @dlt.table
        @dlt.expect_all_or_fail({"ok": "id >= 0", "small": "id < 3"})
        def strict():
            return spark.range(5)
        """,
    )

    update = project.update()

    assert update.result.state == "FAILED"
    assert update.result.error_dataset == "strict"
    assert "'small' (id < 3): 2 of 5 records violated it" in (update.result.error or "")
    assert not (project.storage / "tables").exists()
