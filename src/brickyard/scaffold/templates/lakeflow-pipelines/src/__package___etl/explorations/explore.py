# Databricks notebook source
# MAGIC %md
# MAGIC Ad-hoc exploration of the pipeline's tables; not part of the pipeline.

# COMMAND ----------

display(spark.read.table("sales_by_store"))
