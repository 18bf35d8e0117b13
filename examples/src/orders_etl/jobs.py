"""Entry points run by the job's python_wheel_task."""

from __future__ import annotations

import argparse
import sys

from orders_etl.scoring import CustomerStats, score


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="score_customers")
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--schema", required=True)
    return parser.parse_args(argv)


def score_customers(argv: list[str] | None = None) -> None:
    """Read the cleaned orders, score every customer, write `customer_scores`."""
    from pyspark.sql import SparkSession

    args = _args(sys.argv[1:] if argv is None else argv)
    spark = SparkSession.builder.getOrCreate()
    source = f"{args.catalog}.{args.schema}.orders_silver"
    rows = spark.sql(
        f"""
        SELECT customer_id,
               COUNT(*) AS orders,
               SUM(amount) AS revenue,
               SUM(CASE WHEN status = 'refunded' THEN 1 ELSE 0 END) AS refunds
        FROM {source}
        GROUP BY customer_id
        """
    ).collect()
    scored = [
        score(CustomerStats(r["customer_id"], int(r["orders"]), float(r["revenue"] or 0.0), int(r["refunds"])))
        for r in rows
    ]
    target = f"{args.catalog}.{args.schema}.customer_scores"
    frame = spark.createDataFrame(scored, "customer_id string, orders long, revenue double, tier string, churn_risk double")
    frame.write.mode("overwrite").saveAsTable(target)
    print(f"scored {len(scored)} customers into {target}")
