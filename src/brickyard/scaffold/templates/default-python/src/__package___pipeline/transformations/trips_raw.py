"""Raw trips: a small deterministic sample, as a landing zone would deliver it."""

import dlt
from pyspark.sql import functions as F


@dlt.table(comment="Trips as they arrive, before any check.")
def trips_raw():
    return spark.range(1000).select(
        F.col("id").alias("trip_id"),
        (F.col("id") % 50 + F.lit(2.5)).cast("double").alias("fare_amount"),
        (F.col("id") % 17 / F.lit(3.0)).alias("trip_distance"),
        (F.col("id") % 90000 + F.lit(10000)).cast("string").alias("pickup_zip"),
    )
