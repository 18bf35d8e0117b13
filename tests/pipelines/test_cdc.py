"""AUTO CDC / APPLY CHANGES: SCD type 1 and 2 from a change feed, out of order, with deletes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.pipelines.conftest import Project

pytestmark = pytest.mark.engine

PYTHON_CDC = """
    import dlt
    from pyspark.sql import functions as F

    @dlt.view
    def changes():
        return spark.readStream.format("cloudFiles").option("cloudFiles.format", "json") \\
            .option("cloudFiles.inferColumnTypes", "true").load(spark.conf.get("data") + "/cdc")

    dlt.create_streaming_table("customers")
    dlt.apply_changes(
        target="customers",
        source="changes",
        keys=["id"],
        sequence_by=F.col("seq"),
        apply_as_deletes=F.expr("op = 'DELETE'"),
        except_column_list=["op", "_rescued_data"],
    )

    dlt.create_streaming_table("customers_history")
    dlt.apply_changes(
        target="customers_history",
        source="changes",
        keys=["id"],
        sequence_by="seq",
        apply_as_deletes="op = 'DELETE'",
        column_list=["id", "name", "city"],
        stored_as_scd_type=2,
        track_history_except_column_list=["city"],
        flow_name="history",
    )
"""

SQL_CDC = """
    CREATE TEMPORARY VIEW changes AS
    SELECT * FROM STREAM read_files('${data}/cdc', format => 'json');

    CREATE OR REFRESH STREAMING TABLE customers;
    APPLY CHANGES INTO LIVE.customers FROM STREAM(LIVE.changes)
      KEYS (id) APPLY AS DELETE WHEN op = 'DELETE' SEQUENCE BY seq
      COLUMNS * EXCEPT (op, _rescued_data) STORED AS SCD TYPE 1;

    CREATE OR REFRESH STREAMING TABLE customers_history;
    CREATE FLOW history AS AUTO CDC INTO customers_history FROM STREAM changes
      KEYS (id) APPLY AS DELETE WHEN op = 'DELETE' SEQUENCE BY seq
      COLUMNS id, name, city STORED AS SCD TYPE 2 TRACK HISTORY ON * EXCEPT (city);
"""


def _changes(project: Project, name: str, rows: list[dict[str, Any]]) -> None:
    project.data_file(f"cdc/{name}.json", "\n".join(json.dumps(r) for r in rows) + "\n")


def _feed(project: Project) -> None:
    """Three batches of changes; the later ones arrive out of order."""
    _changes(
        project,
        "1",
        [
            {"id": 1, "name": "Ann", "city": "Oslo", "seq": 1, "op": "INSERT"},
            {"id": 2, "name": "Bob", "city": "Rome", "seq": 1, "op": "INSERT"},
            {"id": 1, "name": "Ann B", "city": "Oslo", "seq": 3, "op": "UPDATE"},
        ],
    )


def _second(project: Project) -> None:
    _changes(
        project,
        "2",
        [
            {"id": 1, "name": "Ann late", "city": "Oslo", "seq": 2, "op": "UPDATE"},  # older than seq 3
            {"id": 2, "name": None, "city": None, "seq": 5, "op": "DELETE"},
            {"id": 3, "name": "Cy", "city": "Nice", "seq": 1, "op": "INSERT"},
        ],
    )


def _third(project: Project) -> None:
    _changes(
        project,
        "3",
        [
            {"id": 2, "name": "Bob late", "city": "Rome", "seq": 4, "op": "UPDATE"},  # before the delete
            {"id": 3, "name": "Cy", "city": "Lyon", "seq": 2, "op": "UPDATE"},  # untracked column only
        ],
    )


def _history(project: Project) -> list[tuple[Any, ...]]:
    return [
        (r["id"], r["name"], r["city"], r["__START_AT"], r["__END_AT"])
        for r in project.rows("customers_history", "id, __START_AT")
    ]


@pytest.mark.parametrize("language", ["python", "sql"])
def test_scd1_and_scd2_follow_sequence_order_and_deletes(project: Project, language: str) -> None:
    if language == "python":
        project.source("cdc.py", PYTHON_CDC)
    else:
        project.source("cdc.sql", SQL_CDC)
    _feed(project)

    first = project.ok()

    assert [(r["id"], r["name"]) for r in project.rows("customers", "id")] == [(1, "Ann B"), (2, "Bob")]
    assert first.completed("customers")["metrics"]["num_upserted_rows"] == 3
    assert _history(project) == [
        (1, "Ann", "Oslo", 1, 3),
        (1, "Ann B", "Oslo", 3, None),
        (2, "Bob", "Rome", 1, None),
    ]

    _second(project)
    second = project.ok()

    assert [(r["id"], r["name"]) for r in project.rows("customers", "id")] == [(1, "Ann B"), (3, "Cy")]
    metrics = second.completed("customers")["metrics"]
    assert (metrics["num_upserted_rows"], metrics["num_deleted_rows"]) == (2, 1)
    assert _history(project) == [
        (1, "Ann", "Oslo", 1, 2),
        (1, "Ann late", "Oslo", 2, 3),
        (1, "Ann B", "Oslo", 3, None),
        (2, "Bob", "Rome", 1, 5),
        (3, "Cy", "Nice", 1, None),
    ]

    _third(project)
    project.ok()

    # SCD 1: the late update of a deleted key does not bring it back.
    assert [(r["id"], r["name"], r["city"]) for r in project.rows("customers", "id")] == [
        (1, "Ann B", "Oslo"),
        (3, "Cy", "Lyon"),
    ]
    # SCD 2: the late update lands between the first version and the delete; a change to an
    # untracked column updates the current version in place.
    assert _history(project) == [
        (1, "Ann", "Oslo", 1, 2),
        (1, "Ann late", "Oslo", 2, 3),
        (1, "Ann B", "Oslo", 3, None),
        (2, "Bob", "Rome", 1, 4),
        (2, "Bob late", "Rome", 4, 5),
        (3, "Cy", "Lyon", 1, None),
    ]


def test_a_full_refresh_rebuilds_cdc_targets_from_the_whole_feed(project: Project) -> None:
    project.source("cdc.py", PYTHON_CDC)
    _feed(project)
    project.ok()
    _second(project)
    _third(project)
    project.ok()
    before = (project.rows("customers", "id"), _history(project))

    project.ok(full_refresh=True)

    assert (project.rows("customers", "id"), _history(project)) == before


def test_ignore_null_updates_keeps_the_stored_values(project: Project) -> None:
    project.source(
        "nulls.sql",
        """
        CREATE TEMPORARY VIEW feed AS SELECT * FROM STREAM read_files('${data}/cdc', format => 'json');
        CREATE STREAMING TABLE people;
        APPLY CHANGES INTO people FROM STREAM(feed)
          KEYS (id) IGNORE NULL UPDATES SEQUENCE BY seq COLUMNS id, name, city;
        """,
    )
    _changes(project, "1", [{"id": 1, "name": "Ann", "city": "Oslo", "seq": 1}])
    project.ok()
    _changes(
        project, "2", [{"id": 1, "name": None, "city": "Rome", "seq": 2}, {"id": 2, "name": "Bo", "seq": 1}]
    )

    project.ok()

    assert project.rows("people", "id") == [
        {"id": 1, "name": "Ann", "city": "Rome"},
        {"id": 2, "name": "Bo", "city": None},
    ]
