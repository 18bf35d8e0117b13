"""dbt-spark on Sail: columns of tables the local workspace registered by location.

dbt-spark reads a relation's columns from `DESCRIBE TABLE EXTENDED`. Sail lists no columns there
for a table registered as `CREATE TABLE … USING delta LOCATION …` without a column list, which is
how the local workspace gives every new session the tables earlier tasks wrote (Sail's catalog
belongs to one session). Declaring the columns instead is refused unless they match the Delta log
to the last nullability and timezone detail. So when DESCRIBE comes back without columns, the
table's own schema is asked instead; dbt then sees, for example, a snapshot's meta columns on its
second run, as it does on Databricks.
"""

from __future__ import annotations

from typing import Any

_PATCHED = "_brickyard_columns_fallback"


def install(spark: Any) -> None:
    from dbt.adapters.spark.column import SparkColumn
    from dbt.adapters.spark.impl import SparkAdapter

    if getattr(SparkAdapter, _PATCHED, False):
        return
    original = SparkAdapter.get_columns_in_relation

    def get_columns_in_relation(self: Any, relation: Any) -> list[Any]:
        columns: list[Any] = original(self, relation)
        if columns:
            return columns
        try:
            schema = spark.table(relation.render().replace("`", "")).schema
        except Exception:  # the table does not exist: dbt expects an empty list
            return columns
        return [
            SparkColumn(
                table_database=None,
                table_schema=relation.schema,
                table_name=relation.name,
                table_type=relation.type,
                table_owner="",
                table_stats=None,
                column=field.name,
                column_index=index,
                dtype=field.dataType.simpleString(),
            )
            for index, field in enumerate(schema.fields)
        ]

    SparkAdapter.get_columns_in_relation = get_columns_in_relation  # type: ignore[method-assign]
    setattr(SparkAdapter, _PATCHED, True)
