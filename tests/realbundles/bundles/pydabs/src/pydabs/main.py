"""The wheel's entry point: reads what the pipeline published, through databricks.sdk.runtime."""

import argparse

from databricks.sdk.runtime import spark


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--schema", required=True)
    args = parser.parse_args()
    table = f"{args.catalog}.{args.schema}.zone_fares"
    zones = spark.read.table(table).count()
    print(f"{table}: {zones} zones")


if __name__ == "__main__":
    main()
