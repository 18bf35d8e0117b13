import sys

from databricks.sdk.runtime import dbutils, spark

print("hello", sys.argv[1:], spark.range(3).count())
dbutils.fs.put("/FileStore/hello/out.txt", "hi", overwrite=True)
print("stored", dbutils.fs.head("dbfs:/FileStore/hello/out.txt"))
