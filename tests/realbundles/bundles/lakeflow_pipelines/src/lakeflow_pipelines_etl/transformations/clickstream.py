import dlt
from pyspark.sql.functions import col, expr

source = spark.conf.get("source_path")


@dlt.table(comment="The raw wikipedia clickstream dataset, ingested from /databricks-datasets.")
def clickstream_raw():
    return spark.read.json(f"{source}/2015_2_clickstream.json")


@dlt.table(comment="Wikipedia clickstream data cleaned and prepared for analysis.")
@dlt.expect("valid_current_page_title", "current_page_title IS NOT NULL")
@dlt.expect_or_fail("valid_count", "click_count > 0")
def clickstream_prepared():
    return (
        dlt.read("clickstream_raw")
        .withColumn("click_count", expr("CAST(n AS INT)"))
        .withColumnRenamed("curr_title", "current_page_title")
        .withColumnRenamed("prev_title", "previous_page_title")
        .select("current_page_title", "click_count", "previous_page_title")
    )
