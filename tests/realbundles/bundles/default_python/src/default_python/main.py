import argparse

from databricks.sdk.runtime import spark
from pyspark.sql import DataFrame


def find_all_taxis() -> DataFrame:
    return spark.read.table("samples.nyctaxi.trips")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--schema", required=True)
    args = parser.parse_args()
    spark.sql(f"USE CATALOG {args.catalog}")
    spark.sql(f"CREATE SCHEMA IF NOT EXISTS {args.schema}")
    spark.sql(f"USE SCHEMA {args.schema}")
    taxis = find_all_taxis()
    print("taxis", taxis.count())
    taxis.show(5)


if __name__ == "__main__":
    main()
