from pyspark import pipelines as dp
from pyspark.sql import functions as F


@dp.table(comment="Taxi trips with a fare, from the samples catalog.")
def trips():
    return spark.read.table("samples.nyctaxi.trips").where(F.col("fare_amount") > 0)
