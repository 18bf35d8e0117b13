# Databricks notebook source
# MAGIC %md
# MAGIC # Ingest orders
# MAGIC Lands one batch of order events as JSON files in the landing volume, where the
# MAGIC pipeline's Auto Loader picks them up. The batch is generated deterministically from the
# MAGIC batch date, so re-running a day lands the same orders (the files are replaced, not added).

# COMMAND ----------

dbutils.widgets.text("catalog", "main")
dbutils.widgets.text("schema", "orders")
dbutils.widgets.text("orders", "500")
dbutils.widgets.text("batch_date", "2026-01-01")

catalog = dbutils.widgets.get("catalog")
schema = dbutils.widgets.get("schema")
count = int(dbutils.widgets.get("orders"))
batch_date = dbutils.widgets.get("batch_date")
landing = f"/Volumes/{catalog}/{schema}/landing/orders"

# COMMAND ----------

import datetime
import json
import random


STATUSES = ["placed", "shipped", "delivered", "refunded"]
day = datetime.date.fromisoformat(batch_date)
business_day = day.weekday() < 5
rng = random.Random(batch_date)
lines = []
for n in range(count):
    order = {
        "order_id": f"{batch_date}-{n:06d}",
        "customer_id": f"c{rng.randint(1, max(count // 5, 1)):05d}",
        "amount": round(rng.uniform(5, 400), 2),
        "currency": "EUR",
        "status": rng.choice(STATUSES),
        "ordered_at": f"{batch_date}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00",
        "business_day": business_day,
    }
    # Real feeds are messy: a few orders arrive without a customer or with a negative amount.
    if n % 97 == 0:
        order["customer_id"] = None
    if n % 89 == 0:
        order["amount"] = -order["amount"]
    lines.append(json.dumps(order))

path = f"{landing}/batch_date={batch_date}/orders.json"
dbutils.fs.put(path, "\n".join(lines) + "\n", overwrite=True)
print(f"landed {len(lines)} orders in {path} ({'business day' if business_day else 'weekend or holiday'})")

# COMMAND ----------

dbutils.jobs.taskValues.set(key="orders_landed", value=len(lines))
dbutils.notebook.exit(json.dumps({"landed": len(lines), "path": path}))
