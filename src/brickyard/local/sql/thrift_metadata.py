"""The metadata calls of the Thrift API (GetCatalogs, GetSchemas, GetTables, GetColumns) as Arrow
tables with the JDBC column names clients read, from what the engine's catalog shows.

Name arguments are JDBC patterns: `%` matches any run of characters, `_` one character (`*` is
also taken as "any", as Spark does); no pattern matches everything.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from brickyard.local.sql.columns import table_columns
from brickyard.local.sql.text import quote

if TYPE_CHECKING:
    import pyarrow as pa

_JDBC_TYPES = {
    "boolean": 16,
    "tinyint": -6,
    "byte": -6,
    "smallint": 5,
    "short": 5,
    "int": 4,
    "integer": 4,
    "bigint": -5,
    "long": -5,
    "float": 6,
    "real": 7,
    "double": 8,
    "string": 12,
    "varchar": 12,
    "char": 1,
    "binary": -2,
    "date": 91,
    "timestamp": 93,
    "timestamp_ntz": 93,
    "decimal": 3,
    "array": 2003,
    "map": 2000,
    "struct": 2002,
    "void": 0,
}


def matcher(pattern: str | None) -> re.Pattern[str]:
    if pattern is None or pattern in ("", "%", "*"):
        return re.compile(r".*", re.S)
    out = []
    for ch in pattern:
        out.append(".*" if ch in "%*" else "." if ch == "_" else re.escape(ch))
    return re.compile("".join(out), re.I | re.S)


def catalogs(spark: Any) -> pa.Table:
    import pyarrow as pa

    return pa.table({"TABLE_CAT": _catalog_names(spark)})


def schemas(spark: Any, catalog: str | None, schema: str | None) -> pa.Table:
    import pyarrow as pa

    rows = list(_schemas(spark, catalog, schema))
    return pa.table({"TABLE_SCHEM": [s for _, s in rows], "TABLE_CATALOG": [c for c, _ in rows]})


def tables(
    spark: Any, catalog: str | None, schema: str | None, table: str | None, types: list[str] | None
) -> pa.Table:
    import pyarrow as pa

    wanted = {t.upper() for t in types or []}
    found = []
    for cat, sch, name, kind in _tables(spark, catalog, schema, table):
        if not wanted or kind in wanted:
            found.append((cat, sch, name, kind))
    none: list[str | None] = [None] * len(found)
    return pa.table(
        {
            "TABLE_CAT": [r[0] for r in found],
            "TABLE_SCHEM": [r[1] for r in found],
            "TABLE_NAME": [r[2] for r in found],
            "TABLE_TYPE": [r[3] for r in found],
            "REMARKS": [""] * len(found),
            "TYPE_CAT": pa.array(none, pa.string()),
            "TYPE_SCHEM": pa.array(none, pa.string()),
            "TYPE_NAME": pa.array(none, pa.string()),
            "SELF_REFERENCING_COL_NAME": pa.array(none, pa.string()),
            "REF_GENERATION": pa.array(none, pa.string()),
        }
    )


def columns(
    spark: Any, catalog: str | None, schema: str | None, table: str | None, column: str | None
) -> pa.Table:
    import pyarrow as pa

    match = matcher(column)
    rows: list[tuple[str, str, str, str, str, str | None, int]] = []
    for cat, sch, name, _kind in _tables(spark, catalog, schema, table):
        described = table_columns(spark, f"{quote(cat)}.{quote(sch)}.{quote(name)}")
        for position, (col_name, data_type, comment) in enumerate(described, start=1):
            if match.fullmatch(col_name):
                rows.append((cat, sch, name, col_name, data_type, comment, position))
    size = len(rows)
    type_names = [r[4] for r in rows]
    return pa.table(
        {
            "TABLE_CAT": [r[0] for r in rows],
            "TABLE_SCHEM": [r[1] for r in rows],
            "TABLE_NAME": [r[2] for r in rows],
            "COLUMN_NAME": [r[3] for r in rows],
            "DATA_TYPE": pa.array([_jdbc_type(t) for t in type_names], pa.int32()),
            "TYPE_NAME": [t.upper() for t in type_names],
            "COLUMN_SIZE": pa.array([None] * size, pa.int32()),
            "BUFFER_LENGTH": pa.array([None] * size, pa.int8()),
            "DECIMAL_DIGITS": pa.array([None] * size, pa.int32()),
            "NUM_PREC_RADIX": pa.array([None] * size, pa.int32()),
            "NULLABLE": pa.array([1] * size, pa.int32()),
            "REMARKS": [r[5] or "" for r in rows],
            "COLUMN_DEF": pa.array([None] * size, pa.string()),
            "SQL_DATA_TYPE": pa.array([None] * size, pa.int32()),
            "SQL_DATETIME_SUB": pa.array([None] * size, pa.int32()),
            "CHAR_OCTET_LENGTH": pa.array([None] * size, pa.int32()),
            "ORDINAL_POSITION": pa.array([r[6] for r in rows], pa.int32()),
            "IS_NULLABLE": ["YES"] * size,
            "SCOPE_CATALOG": pa.array([None] * size, pa.string()),
            "SCOPE_SCHEMA": pa.array([None] * size, pa.string()),
            "SCOPE_TABLE": pa.array([None] * size, pa.string()),
            "SOURCE_DATA_TYPE": pa.array([None] * size, pa.int16()),
            "IS_AUTO_INCREMENT": ["NO"] * size,
        }
    )


def _jdbc_type(type_text: str) -> int:
    base = re.split(r"[<(]", type_text.strip().lower(), maxsplit=1)[0]
    return _JDBC_TYPES.get(base, 1111)


def _catalog_names(spark: Any) -> list[str]:
    return sorted(row[0] for row in spark.sql("SHOW CATALOGS").collect() if row[0] != "system")


def _schemas(spark: Any, catalog: str | None, schema: str | None) -> list[tuple[str, str]]:
    cat_match, schema_match = matcher(catalog), matcher(schema)
    found = []
    for cat in _catalog_names(spark):
        if not cat_match.fullmatch(cat):
            continue
        for row in spark.sql(f"SHOW SCHEMAS IN {quote(cat)}").collect():
            if schema_match.fullmatch(row[0]):
                found.append((cat, row[0]))
    return sorted(found)


def _tables(
    spark: Any, catalog: str | None, schema: str | None, table: str | None
) -> list[tuple[str, str, str, str]]:
    table_match = matcher(table)
    found = []
    for cat, sch in _schemas(spark, catalog, schema):
        where = f"{quote(cat)}.{quote(sch)}"
        views = {row["tableName"] for row in spark.sql(f"SHOW VIEWS IN {where}").collect()}
        for row in spark.sql(f"SHOW TABLES IN {where}").collect():
            name = row["tableName"]
            if row["isTemporary"] or not table_match.fullmatch(name):
                continue
            found.append((cat, sch, name, "VIEW" if name in views else "TABLE"))
    return sorted(found)
