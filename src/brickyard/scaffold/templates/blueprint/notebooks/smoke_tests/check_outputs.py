# Databricks notebook source
# MAGIC %md
# MAGIC # Smoke test
# MAGIC Fails the run when the marts are missing or obviously wrong. Cheap enough to run after every deploy.

# COMMAND ----------

dbutils.widgets.text("catalog", "main")
dbutils.widgets.text("schema", "orders")
prefix = f"{dbutils.widgets.get('catalog')}.{dbutils.widgets.get('schema')}"

# COMMAND ----------

checks = {
    "orders_silver has rows": spark.sql(f"SELECT COUNT(*) AS n FROM {prefix}.orders_silver").first()["n"] > 0,
    "no negative amounts in silver": spark.sql(
        f"SELECT COUNT(*) AS n FROM {prefix}.orders_silver WHERE amount < 0"
    ).first()["n"] == 0,
    "every customer is scored": spark.sql(
        f"SELECT COUNT(DISTINCT customer_id) AS n FROM {prefix}.orders_silver"
    ).first()["n"] == spark.sql(f"SELECT COUNT(*) AS n FROM {prefix}.customer_scores").first()["n"],
    "daily revenue is positive": spark.sql(
        f"SELECT MIN(revenue) AS r FROM {prefix}.daily_revenue"
    ).first()["r"] > 0,
}
for name, ok in checks.items():
    print(("PASS " if ok else "FAIL ") + name)
failed = [name for name, ok in checks.items() if not ok]
if failed:
    raise AssertionError(f"smoke test failed: {', '.join(failed)}")
dbutils.notebook.exit("ok")
