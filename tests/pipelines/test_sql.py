"""SQL pipeline sources: declarations, constraints, STREAM / LIVE references, read_files, flows."""

from __future__ import annotations

import pytest

from tests.pipelines.conftest import Project

pytestmark = pytest.mark.engine

PIPELINE = """
    SET min_amount = 0;

    CREATE OR REFRESH STREAMING TABLE raw_orders
    COMMENT 'orders as delivered'
    AS SELECT * FROM STREAM read_files('${data}/orders', format => 'csv', header => true);

    CREATE OR REFRESH STREAMING TABLE orders (
      id INT,
      CONSTRAINT known_customer EXPECT (customer IS NOT NULL),
      CONSTRAINT positive EXPECT (amount > ${min_amount}) ON VIOLATION DROP ROW
    ) AS SELECT id, customer, amount, '${env}' AS env FROM STREAM(LIVE.raw_orders);

    -- a view is computed by its readers, never stored
    CREATE TEMPORARY VIEW big_orders AS SELECT * EXCEPT (customer, env) FROM orders WHERE amount >= 10;

    CREATE OR REFRESH MATERIALIZED VIEW ${catalog}.${schema}.customer_totals AS
    SELECT o.customer, sum(o.amount) AS total, count(b.id) AS big
    FROM LIVE.orders o LEFT JOIN big_orders b ON o.id = b.id
    GROUP BY ALL;
"""


def test_a_sql_pipeline_runs_with_read_files_stream_live_and_configuration(project: Project) -> None:
    project.configuration.update(env="dev", catalog="main", schema=project.schema)  # names too
    project.source("orders.sql", PIPELINE)
    project.data_file("orders/1.csv", "id,customer,amount\n1,ann,10\n2,bob,0\n3,,5\n4,ann,20\n")

    update = project.ok()

    raw_types = {
        f.name: f.dataType.simpleString()
        for f in project.spark.table(f"main.{project.schema}.raw_orders").schema
    }
    assert raw_types["amount"] in ("int", "bigint")  # read_files infers types, unlike cloudFiles
    assert [(r["id"], r["env"]) for r in project.rows("orders", "id")] == [(1, "dev"), (3, "dev"), (4, "dev")]
    assert project.rows("customer_totals", "customer") == [
        {"customer": None, "total": 5, "big": 0},
        {"customer": "ann", "total": 30, "big": 2},
    ]
    assert update.completed("orders")["data_quality"] == {
        "dropped_records": 1,
        "expectations": [
            {"name": "known_customer", "dataset": "orders", "passed_records": 3, "failed_records": 1},
            {"name": "positive", "dataset": "orders", "passed_records": 3, "failed_records": 1},
        ],
    }
    definition = next(
        e["details"]["flow_definition"]
        for e in update.events
        if e["event_type"] == "flow_definition" and e["origin"]["flow_name"].endswith("customer_totals")
    )
    assert sorted(definition["input_datasets"]) == ["big_orders", "orders"]

    project.data_file("orders/2.csv", "id,customer,amount\n5,cat,50\n")
    again = project.ok()

    assert again.rows_out("raw_orders") == 1
    assert again.rows_out("orders") == 1
    assert project.count("orders") == 4


def test_sql_flows_append_to_a_streaming_table_and_once_flows_run_once(project: Project) -> None:
    project.source(
        "flows.sql",
        """
        CREATE STREAMING TABLE all_events;

        CREATE FLOW from_clicks AS INSERT INTO all_events BY NAME
        SELECT id, 'click' AS kind FROM STREAM read_files('${data}/clicks', format => 'json');

        CREATE FLOW from_views AS INSERT INTO all_events BY NAME
        SELECT id, 'view' AS kind FROM STREAM read_files('${data}/views', format => 'json');

        CREATE FLOW history AS INSERT INTO ONCE all_events BY NAME
        SELECT 0 AS id, 'history' AS kind;
        """,
    )
    project.data_file("clicks/1.json", '{"id": 1}\n{"id": 2}\n')
    project.data_file("views/1.json", '{"id": 3}\n')

    project.ok()
    project.data_file("views/2.json", '{"id": 4}\n')
    again = project.ok()

    assert [(r["id"], r["kind"]) for r in project.rows("all_events", "id")] == [
        (0, "history"),
        (1, "click"),
        (2, "click"),
        (3, "view"),
        (4, "view"),
    ]
    assert again.rows_out("from_views") == 1
    assert again.rows_out("from_clicks") == 0


def test_sql_cloud_files_and_a_sql_notebook(project: Project) -> None:
    project.source(
        "ingest",
        """
        -- Databricks notebook source
        CREATE OR REFRESH STREAMING LIVE TABLE landing
        AS SELECT * FROM cloud_files('${data}/landing', 'json', map('cloudFiles.inferColumnTypes', 'true'))

        -- COMMAND ----------

        -- MAGIC %md
        -- MAGIC Totals below

        -- COMMAND ----------

        CREATE LIVE TABLE totals AS SELECT sum(v) AS v FROM LIVE.landing
        """,
        kind="notebook",
    )
    project.data_file("landing/a.json", '{"v": 1}\n{"v": 2}\n')

    project.ok()

    assert project.rows("totals") == [{"v": 3}]


def test_append_flows_with_different_columns_widen_the_target(project: Project) -> None:
    project.source(
        "widen.sql",
        """
        CREATE STREAMING TABLE merged;

        CREATE FLOW narrow AS INSERT INTO merged BY NAME
        SELECT id FROM STREAM read_files('${data}/narrow', format => 'json');

        CREATE FLOW wide AS INSERT INTO merged BY NAME
        SELECT id, note FROM STREAM read_files('${data}/wide', format => 'json');
        """,
    )
    project.data_file("narrow/1.json", '{"id": 1}\n')
    project.data_file("wide/1.json", '{"id": 2, "note": "x"}\n')

    project.ok()
    project.data_file("narrow/2.json", '{"id": 3}\n')
    project.ok()

    assert project.rows("merged", "id") == [
        {"id": 1, "note": None},
        {"id": 2, "note": "x"},
        {"id": 3, "note": None},
    ]
