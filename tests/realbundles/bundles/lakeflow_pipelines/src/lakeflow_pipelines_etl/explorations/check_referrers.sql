-- Databricks notebook source
-- MAGIC %md
-- MAGIC Checks what the pipeline published, by catalog and schema parameters.

-- COMMAND ----------

SELECT count(*) AS referrers FROM IDENTIFIER(:catalog || '.' || :schema || '.top_spark_referrers')

-- COMMAND ----------

SELECT count(*) AS zones FROM IDENTIFIER(:catalog || '.' || :schema || '.sample_zones_lakeflow') WHERE total_fare > 0
