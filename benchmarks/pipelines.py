"""Pipeline benchmark: a 5-dataset medallion pipeline over 1 million input rows on the local engine.

    .venv/bin/python benchmarks/pipelines.py [--rows 1000000] [--files 10] [--new-rows 10000]

Generates CSV files, then runs: a cold update (Auto Loader bronze streaming table, a dimension
materialized view, silver with warn + drop expectations joined to the dimension, two gold
aggregates), an incremental update after one small new file lands, and an update with nothing new.
Prints wall times, rows per second and the per-flow times from the event log.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from brickyard.local.engine import Engine, connect
from brickyard.pipelines import Library, ListSink, PipelineSpec, UpdateOptions, run_update

PIPELINE = """
import dlt
from pyspark.sql import functions as F

@dlt.table(comment="raw orders, as landed")
def bronze_orders():
    return (
        spark.readStream.format("cloudFiles")
        .option("cloudFiles.format", "csv")
        .option("cloudFiles.inferColumnTypes", "true")
        .option("header", "true")
        .load(spark.conf.get("landing"))
    )

@dlt.materialized_view
def customers():
    return spark.range(1000).select(
        F.col("id").alias("customer_id"),
        F.when(F.col("id") % 10 == 0, "enterprise").otherwise("retail").alias("segment"),
    )

@dlt.table
@dlt.expect("recent", "order_date >= '2020-01-01'")
@dlt.expect_or_drop("positive_amount", "amount > 0")
@dlt.expect_or_drop("known_status", "status IN ('new', 'paid', 'shipped')")
def silver_orders():
    orders = dlt.read_stream("bronze_orders")
    return orders.join(dlt.read("customers"), "customer_id", "left")

@dlt.materialized_view
def gold_daily():
    return dlt.read("silver_orders").groupBy("order_date").agg(
        F.count("*").alias("orders"), F.sum("amount").alias("revenue")
    )

@dlt.materialized_view
def gold_segments():
    return dlt.read("silver_orders").groupBy("segment", "status").agg(
        F.count("*").alias("orders"), F.avg("amount").alias("avg_amount")
    )
"""


def generate(spark: Any, target: Path, rows: int, files: int, start: int) -> float:
    """CSV files with `rows` orders (ids from `start`), written by the engine; returns seconds."""
    began = time.perf_counter()
    scratch = target.parent / f".gen-{start}"
    (
        spark.range(start, start + rows)
        .selectExpr(
            "id AS order_id",
            "id % 1000 AS customer_id",
            "date_add(DATE'2023-01-01', CAST(id % 365 AS INT)) AS order_date",
            "CAST((id % 997) - 10 AS DOUBLE) AS amount",
            "element_at(array('new', 'paid', 'shipped', 'lost'), CAST(id % 4 AS INT) + 1) AS status",
        )
        .repartition(files)
        .write.option("header", "true")
        .mode("overwrite")
        .csv(str(scratch))
    )
    target.mkdir(parents=True, exist_ok=True)
    for index, part in enumerate(sorted(scratch.glob("*.csv"))):
        part.rename(target / f"orders-{start}-{index}.csv")
    shutil.rmtree(scratch)
    return time.perf_counter() - began


def flow_seconds(sink: ListSink) -> dict[str, float]:
    """Per flow: time from RUNNING to COMPLETED in the event log."""
    started: dict[str, datetime] = {}
    took: dict[str, float] = {}
    for event in sink.of_type("flow_progress"):
        flow = event["origin"]["flow_name"]
        status = event["details"]["flow_progress"]["status"]
        stamp = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
        if status == "RUNNING":
            started[flow] = stamp
        elif status == "COMPLETED" and flow in started:
            took[flow] = (stamp - started[flow]).total_seconds()
    return took


def run(spark: Any, spec: PipelineSpec, label: str) -> dict[str, Any]:
    sink = ListSink()
    began = time.perf_counter()
    result = run_update(spark, spec, UpdateOptions(), sink)
    seconds = time.perf_counter() - began
    if result.state != "COMPLETED":
        raise SystemExit(f"{label} update {result.state}: {result.error}")
    rows = {name: flow.num_output_rows for name, flow in result.flows.items()}
    silver = result.flows["silver_orders"]
    print(
        f"{label:<12} {seconds:7.2f} s   bronze +{rows['bronze_orders']:>9,} rows   silver +{rows['silver_orders']:>9,}"
        f" (dropped {silver.dropped_records:,})"
    )
    timings = flow_seconds(sink)
    print("             " + "  ".join(f"{name} {secs:.2f}s" for name, secs in timings.items()))
    return {"seconds": seconds, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--new-rows", type=int, default=10_000)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="brickyard-bench-pipelines-"))
    engine = Engine(home / "engine")
    spark = None
    try:
        began = time.perf_counter()
        spark = connect(engine.start(), engine.warehouse)
        print(f"engine + session    {time.perf_counter() - began:6.2f} s")
        source = home / "pipeline" / "orders.py"
        source.parent.mkdir(parents=True)
        source.write_text(PIPELINE)
        landing = home / "landing"
        spec = PipelineSpec(
            name="bench",
            id="bench",
            libraries=(Library("file", str(source)),),
            storage=str(home / "storage"),
            catalog="main",
            schema="bench",
            configuration={"landing": str(landing)},
        )
        print(
            f"generate {args.rows:,} rows in {args.files} CSV files: {generate(spark, landing, args.rows, args.files, 0):.2f} s"
        )

        cold = run(spark, spec, "cold")
        generate(spark, landing, args.new_rows, 1, args.rows)
        incremental = run(spark, spec, "incremental")
        idle = run(spark, spec, "no new data")

        total = spark.table("main.bench.silver_orders").count()
        print(f"silver rows after both updates: {total:,}")
        print(
            f"RESULT cold={cold['seconds']:.2f}s ({args.rows / cold['seconds']:,.0f} input rows/s) "
            f"incremental={incremental['seconds']:.2f}s (+{args.new_rows:,} rows) idle={idle['seconds']:.2f}s"
        )
    finally:
        if spark is not None:
            spark.stop()
        engine.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
