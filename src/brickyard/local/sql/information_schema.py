"""`information_schema` views (`system.information_schema.*`, `<catalog>.information_schema.*`),
which the engine does not have: each one a statement reads is built from the session's catalog
and registered as a temporary view for that statement (schemata, tables, views, columns)."""

from __future__ import annotations

import re
from typing import Any

from brickyard.local.runs.catalog import take_snapshot
from brickyard.local.sql.columns import table_columns

_REFERENCE = re.compile(
    r"(`[^`]+`|\b\w+)\s*\.\s*(`information_schema`|\binformation_schema)\s*\.\s*(`\w+`|\w+\b)", re.I
)
EMPTY: dict[str, tuple[str, ...]] = {
    # The local workspace has no row filters, column masks, tags or constraints: these are empty.
    "row_filters": ("table_catalog", "table_schema", "table_name", "filter_name", "target_columns"),
    "column_masks": (
        "table_catalog",
        "table_schema",
        "table_name",
        "column_name",
        "mask_name",
        "using_columns",
    ),
    "catalog_tags": ("catalog_name", "tag_name", "tag_value"),
    "schema_tags": ("catalog_name", "schema_name", "tag_name", "tag_value"),
    "table_tags": ("catalog_name", "schema_name", "table_name", "tag_name", "tag_value"),
    "column_tags": ("catalog_name", "schema_name", "table_name", "column_name", "tag_name", "tag_value"),
    "table_constraints": (
        "constraint_catalog",
        "constraint_schema",
        "constraint_name",
        "table_catalog",
        "table_schema",
        "table_name",
        "constraint_type",
    ),
    "key_column_usage": (
        "constraint_catalog",
        "constraint_schema",
        "constraint_name",
        "table_catalog",
        "table_schema",
        "table_name",
        "column_name",
        "ordinal_position",
    ),
}
VIEWS = ("schemata", "tables", "views", "columns", *EMPTY)


def rewrite(spark: Any, text: str, owner: str) -> str:
    """`text` reading temporary views in place of the information_schema views it names."""
    built: dict[tuple[str, str], str] = {}

    def replace(match: re.Match[str]) -> str:
        catalog = match.group(1).strip("`").lower()
        view = match.group(3).strip("`").lower()
        if view not in VIEWS:
            return match.group(0)
        key = (catalog, view)
        if key not in built:
            name = f"_information_schema_{'all' if catalog == 'system' else catalog}_{view}"
            _register(spark, name, view, None if catalog == "system" else catalog, owner)
            built[key] = name
        return f"`{built[key]}`"

    return _REFERENCE.sub(replace, text)


def _register(spark: Any, name: str, view: str, catalog: str | None, owner: str) -> None:
    import pyarrow as pa

    if view in EMPTY:
        data = pa.table({column: pa.array([], pa.string()) for column in EMPTY[view]})
        _create(spark, name, data)
        return
    snapshot = take_snapshot(spark)
    tables = [t for t in snapshot.tables if catalog is None or t.catalog == catalog]
    if view == "schemata":
        schemas = [s for s in snapshot.schemas if catalog is None or s[0] == catalog]
        data = pa.table(
            {
                "catalog_name": [c for c, _ in schemas],
                "schema_name": [s for _, s in schemas],
                "schema_owner": [owner] * len(schemas),
                "comment": pa.array([None] * len(schemas), pa.string()),
            }
        )
    elif view == "tables":
        data = pa.table(
            {
                "table_catalog": [t.catalog for t in tables],
                "table_schema": [t.schema for t in tables],
                "table_name": [t.name for t in tables],
                "table_type": [t.kind for t in tables],
                "data_source_format": [
                    None if t.kind == "VIEW" else (t.provider or "delta").upper() for t in tables
                ],
                "table_owner": [owner] * len(tables),
                "comment": pa.array([None] * len(tables), pa.string()),
                "storage_path": [t.location for t in tables],
            }
        )
    elif view == "views":
        views = [t for t in tables if t.kind == "VIEW"]
        data = pa.table(
            {
                "table_catalog": [t.catalog for t in views],
                "table_schema": [t.schema for t in views],
                "table_name": [t.name for t in views],
                "view_definition": [t.view_text for t in views],
            }
        )
    else:
        rows = []
        for t in tables:
            for position, (col_name, data_type, comment) in enumerate(table_columns(spark, t.full_name)):
                rows.append((t, col_name, position, data_type, comment))
        data = pa.table(
            {
                "table_catalog": [r[0].catalog for r in rows],
                "table_schema": [r[0].schema for r in rows],
                "table_name": [r[0].name for r in rows],
                "column_name": [r[1] for r in rows],
                "ordinal_position": pa.array([r[2] for r in rows], pa.int32()),
                "data_type": [re.split(r"[<(]", r[3], maxsplit=1)[0].upper() for r in rows],
                "full_data_type": [r[3] for r in rows],
                "is_nullable": ["YES"] * len(rows),
                "comment": pa.array([r[4] for r in rows], pa.string()),
            }
        )
    _create(spark, name, data)


def _create(spark: Any, name: str, data: Any) -> None:
    import pyarrow as pa

    strings = [pa.types.is_null(f.type) for f in data.schema]
    if any(strings):
        data = data.cast(
            pa.schema(
                [
                    pa.field(f.name, pa.string() if s else f.type)
                    for f, s in zip(data.schema, strings, strict=True)
                ]
            )
        )
    if data.num_rows:
        spark.createDataFrame(data).createOrReplaceTempView(name)
        return
    # an empty frame has nothing to infer its schema from: an empty query with the columns' types
    columns = ", ".join(
        f"CAST(NULL AS {'INT' if pa.types.is_integer(f.type) else 'STRING'}) AS `{f.name}`"
        for f in data.schema
    )
    spark.sql(f"CREATE OR REPLACE TEMPORARY VIEW `{name}` AS SELECT {columns} WHERE 1 = 0").collect()
