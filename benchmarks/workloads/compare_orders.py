"""The example project's notebook and pipeline logic as one script, for `benchmarks/compare.py`.

    python compare_orders.py DIR FORMAT [--classic]

Lands a batch of order events as JSON (the ingest notebook), loads them with the file they came
from (bronze), keeps one typed row per order where the expectations hold (silver), and totals
revenue per customer (the marts). FORMAT is `delta` on the local workspace and `parquet` on plain
PySpark (Delta cannot be used with JVM Spark offline). `--classic` starts a local JVM Spark
instead of using the Spark Connect session of the task. Prints `compute <seconds>`: the work from
the first read to the last result, without starting anything. Rows of one batch share their
`ingested_at`, so the latest version of an order is chosen by its other columns after it: both
engines then keep the same rows and print the same answer.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

ORDERS = 20000
STATUSES = ["placed", "shipped", "delivered", "refunded"]


def land(directory: Path, batch_date: str) -> Path:
    rng = random.Random(batch_date)
    lines = []
    for n in range(ORDERS):
        order = {
            "order_id": f"{batch_date}-{n % (ORDERS - 500):06d}",  # some orders arrive twice
            "customer_id": None if n % 97 == 0 else f"c{rng.randint(1, ORDERS // 5):05d}",
            "amount": round(rng.uniform(5, 400), 2) * (-1 if n % 89 == 0 else 1),
            "currency": "EUR",
            "status": rng.choice(STATUSES),
            "ordered_at": f"{batch_date}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00",
        }
        lines.append(json.dumps(order))
    landing = directory / "landing" / f"batch_date={batch_date}"
    landing.mkdir(parents=True, exist_ok=True)
    (landing / "orders.json").write_text("\n".join(lines) + "\n")
    return directory / "landing"


def main() -> None:
    directory, fmt = Path(sys.argv[1]), sys.argv[2]
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    if "--classic" in sys.argv:
        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")  # not 200 for 20,000 rows: a fair setting
            .getOrCreate()
        )
    else:
        spark = SparkSession.builder.getOrCreate()
    landing = land(directory, "2026-01-01")
    started = time.perf_counter()
    bronze = (
        spark.read.schema(
            "order_id STRING, customer_id STRING, amount DOUBLE, currency STRING, status STRING, ordered_at STRING"
        )
        .json(str(landing))
        .withColumn("ingested_at", F.current_timestamp())
    )
    bronze.write.format(fmt).mode("overwrite").save(str(directory / "bronze"))
    spark.read.format(fmt).load(str(directory / "bronze")).createOrReplaceTempView("orders_bronze")
    silver = spark.sql(
        """
        SELECT order_id, customer_id, amount, currency, status,
               CAST(ordered_at AS TIMESTAMP) AS ordered_at, CAST(CAST(ordered_at AS TIMESTAMP) AS DATE) AS order_date
        FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id
                                           ORDER BY ingested_at DESC, ordered_at DESC, amount DESC) AS version
              FROM orders_bronze)
        WHERE version = 1 AND customer_id IS NOT NULL AND amount > 0
        """
    )
    silver.write.format(fmt).mode("overwrite").save(str(directory / "silver"))
    spark.read.format(fmt).load(str(directory / "silver")).createOrReplaceTempView("orders_silver")
    marts = spark.sql(
        "SELECT customer_id, count(*) AS orders, round(sum(amount), 2) AS revenue, "
        "sum(CASE WHEN status = 'refunded' THEN 1 ELSE 0 END) AS refunds "
        "FROM orders_silver GROUP BY customer_id"
    )
    marts.write.format(fmt).mode("overwrite").save(str(directory / "marts"))
    rows = (
        spark.read.format(fmt).load(str(directory / "marts")).agg(F.count("*"), F.sum("revenue")).collect()[0]
    )
    elapsed = time.perf_counter() - started
    print(f"customers {rows[0]} revenue {rows[1]:.2f}")
    print(f"compute {elapsed:.3f}")
    spark.stop()


if __name__ == "__main__":
    main()
