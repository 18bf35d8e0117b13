from databricks.sdk.runtime import dbutils
from databricks.sdk.runtime import spark as runtime_spark
from pyspark import pipelines as dp
from pyspark.sql.functions import col

DATASETS = [f.name for f in dbutils.fs.ls("/databricks-datasets/")]


@dp.table(comment=f"Trips with a fare; {len(DATASETS)} dataset folders were listed at load time.")
def sample_trips_lakeflow():
    return runtime_spark.read.table("samples.nyctaxi.trips").where(col("fare_amount") > 0)
