from pyspark import pipelines as dp
from pyspark.sql.functions import col, sum


@dp.table
def sample_zones():
    # Read from the "sample_trips" table, then sum all the fares
    return (
        spark.read.table("sample_trips")
        .groupBy(col("pickup_zip"))
        .agg(sum("fare_amount").alias("total_fare"))
    )
