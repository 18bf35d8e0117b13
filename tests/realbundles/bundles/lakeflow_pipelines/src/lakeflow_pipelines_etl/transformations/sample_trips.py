from pyspark import pipelines as dp
from pyspark.sql.functions import col


@dp.table
def sample_trips_lakeflow():
    return spark.read.table("samples.nyctaxi.trips").where(col("fare_amount") > 0)
