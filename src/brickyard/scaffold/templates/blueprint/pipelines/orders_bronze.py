"""Bronze: raw order events from the landing volume, loaded incrementally by Auto Loader."""

import dlt
from pyspark.sql import functions as F

LANDING = spark.conf.get("orders.landing_path")


@dlt.table(
    name="orders_bronze",
    comment="Order events exactly as they landed, with the file they came from.",
)
@dlt.expect("has an order id", "order_id IS NOT NULL")
def orders_bronze():
    return (
        spark.readStream.format("cloudFiles")
        .option("cloudFiles.format", "json")
        .schema(
            "order_id STRING, customer_id STRING, amount DOUBLE, currency STRING, status STRING, "
            "ordered_at STRING, business_day BOOLEAN"
        )
        .load(LANDING)
        .withColumn("ingested_at", F.current_timestamp())
    )
