"""A table's columns as the engine knows them, for DESCRIBE answers and information_schema."""

from __future__ import annotations

from typing import Any


def table_columns(spark: Any, full_name: str) -> list[tuple[str, str, str | None]]:
    """(name, type, comment) of a table's columns. A table replayed from the workspace catalog (at
    its location) describes with no columns in Sail, so its schema is read from its data then."""
    found: list[tuple[str, str, str | None]] = []
    for row in spark.sql(f"DESCRIBE TABLE {full_name}").collect():
        col_name = row["col_name"] or ""
        if not col_name or col_name.startswith("#"):
            break
        found.append((col_name, row["data_type"], row["comment"]))
    if found:
        return found
    schema = spark.sql(f"SELECT * FROM {full_name} LIMIT 0").schema
    return [(f.name, f.dataType.simpleString(), None) for f in schema.fields]
