"""Run in the Databricks Connect environment: a DataFrame round trip on a cluster and on serverless.

Prints one JSON document with what came back; test_databricks_connect.py checks it.
"""

import json
import os
import sys

import pandas as pd
from databricks.connect import DatabricksSession
from pyspark.sql.functions import udf

host, token, cluster_id = (
    os.environ["CONNECT_HOST"],
    os.environ["CONNECT_TOKEN"],
    os.environ["CONNECT_CLUSTER"],
)
spark = DatabricksSession.builder.remote(host=host, token=token, cluster_id=cluster_id).getOrCreate()
local = pd.DataFrame({"id": [1, 2, 3, 4], "name": ["a", "b", "c", "d"], "score": [0.5, 1.5, 2.5, 3.5]})
frame = spark.createDataFrame(local)
back = frame.where("id % 2 = 0").selectExpr("id", "upper(name) AS name", "score * 2 AS score").toPandas()
out = {
    "round_trip": back.to_dict(orient="records"),
    "sum": spark.range(1, 101).selectExpr("sum(id) AS s").first().s,
    "spark_version": spark.version,
    "udf": [r.y for r in spark.range(3).select(udf(lambda x: x * 10, "long")("id").alias("y")).collect()],
}
serverless = DatabricksSession.builder.remote(host=host, token=token).serverless().getOrCreate()
out["serverless"] = [r.asDict() for r in serverless.sql("SELECT 21 * 2 AS answer").collect()]
try:
    spark.sql("SELECT * FROM no_such_table").collect()
except Exception as err:  # an AnalysisException, raised from the engine's error details
    out["error"] = type(err).__name__
json.dump(out, sys.stdout)
