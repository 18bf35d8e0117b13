from orders import daily_totals, with_customer_names

ORDERS = [
    ("2024-01-01", "ann", 10.0, "shipped"),
    ("2024-01-01", "bob", 5.5, "shipped"),
    ("2024-01-01", "ann", 99.0, "cancelled"),
    ("2024-01-02", "ann", 7.25, "shipped"),
]
SCHEMA = "day string, customer string, amount double, status string"


def test_daily_totals_skip_cancelled_orders(spark):
    orders = spark.createDataFrame(ORDERS, SCHEMA)
    rows = [r.asDict() for r in daily_totals(orders).collect()]
    assert rows == [
        {"day": "2024-01-01", "total": 15.5, "customers": 2},
        {"day": "2024-01-02", "total": 7.25, "customers": 1},
    ]


def test_customer_names_are_joined_and_unknown_ones_kept(spark):
    orders = spark.createDataFrame(ORDERS, SCHEMA)
    customers = spark.createDataFrame([("ann", "Ann Lee")], "id string, name string")
    joined = with_customer_names(orders, customers).toPandas()
    assert set(joined.columns) == {"day", "customer", "amount", "status", "name"}
    assert sorted(joined[joined.customer == "bob"].name.isna()) == [True]
    assert (joined[joined.customer == "ann"].name == "Ann Lee").all()


def test_sql_over_a_temporary_view(spark):
    spark.createDataFrame(ORDERS, SCHEMA).createOrReplaceTempView("orders")
    assert spark.sql("SELECT count(*) AS n FROM orders WHERE status = 'shipped'").first().n == 3
