"""Business logic a team tests with Databricks Connect: plain DataFrame code, no session of its own."""

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def daily_totals(orders: DataFrame) -> DataFrame:
    return (
        orders.where(F.col("status") != "cancelled")
        .groupBy("day")
        .agg(F.sum("amount").alias("total"), F.countDistinct("customer").alias("customers"))
        .orderBy("day")
    )


def with_customer_names(orders: DataFrame, customers: DataFrame) -> DataFrame:
    return orders.join(customers, orders.customer == customers.id, "left").drop("id")
