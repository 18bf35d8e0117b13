"""Databricks SQL the engine does not parse, carried out another way, and results in Databricks'
shape.

Sail parses most of Spark SQL. What Databricks clients also send is handled here:

- `SET key = value`, `SET key`, `SET`, `SET TIME ZONE …`: through the session's configuration;
- `USE CATALOG`, `USE SCHEMA`, `USE a.b` (the name may be a string literal, as a SQL file task's
  `{{catalog}}` becomes): through the catalog API, remembered by the session;
- `IDENTIFIER('a.b.c')` with a literal (what a bound `IDENTIFIER(:x)` becomes): the name itself;
- `GROUP BY ALL`: the positions of the non-aggregate items (`group_by_all`);
- `INSERT INTO t (some, columns) VALUES …`: the others NULL, names matched in any case
  (`insert_columns`);
- `DESCRIBE TABLE [EXTENDED] … AS JSON`, `SHOW TBLPROPERTIES`: built from what the engine describes;
- `COMMENT ON …`, `GRANT`, `REVOKE`, `OPTIMIZE`, `VACUUM`, `ANALYZE TABLE`: accepted with no
  effect (`unity_sql`);
- `CREATE`/`ALTER TABLE`: the Delta table options the engine refuses (liquid clustering, change
  data feed, comments, `SET NOT NULL`, checked against the rows once) are left out, and a replacing
  CTAS may change the columns (`tasks.table_options`), as in a task.

Statements the engine cannot do at all (`DESCRIBE HISTORY`, `SHOW CREATE TABLE`, `OPTIMIZE`, …)
fail with a `LOCAL_ENGINE_LIMIT` error naming them. Command results are reshaped as Databricks
returns them: DDL gives no columns, `INSERT` gives `num_affected_rows` and `num_inserted_rows`.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from brickyard.local.sql import unity_sql
from brickyard.local.sql.columns import table_columns
from brickyard.local.sql.errors import SqlError
from brickyard.local.sql.group_by_all import expand_group_by_all
from brickyard.local.sql.insert_columns import fill_insert_columns, table_schema
from brickyard.local.sql.star_except import engine_columns, expand_star_except
from brickyard.local.sql.text import NAME, quote, split_name
from brickyard.local.tasks.table_options import check_not_null, not_null_column, rewrite_table_options

if TYPE_CHECKING:
    import pyarrow as pa


class SessionState:
    """Where a session stands: its current catalog and schema, and the settings it was given."""

    def __init__(self, catalog: str, schema: str, owner: str = "") -> None:
        self.catalog = catalog
        self.schema = schema
        self.owner = owner
        self.conf: dict[str, str] = {}

    def use(self, catalog: str | None = None, schema: str | None = None) -> None:
        if catalog is not None:
            self.catalog = catalog
        if schema is not None:
            self.schema = schema


_SET = re.compile(r"^SET(?:\s+(?!VAR\b|VARIABLE\b)([\w.\-]+)(?:\s*=\s*(.*))?)?$", re.I | re.S)
_SET_TZ = re.compile(r"^SET\s+TIME\s+ZONE\s+(LOCAL|'[^']*'|\"[^\"]*\"|\S+)$", re.I)
_USE = re.compile(rf"^USE\s+(?:(CATALOG|SCHEMA|DATABASE|NAMESPACE)\s+)?({NAME})$", re.I)
_IDENTIFIER = re.compile(r"\bIDENTIFIER\s*\(\s*'((?:[^'\\]|\\.)*)'\s*\)", re.I)
_USE_LITERAL = re.compile(r"^(USE\s+(?:CATALOG|SCHEMA|DATABASE|NAMESPACE)\s+)'((?:[^'\\]|\\.)*)'$", re.I)
_DESCRIBE_JSON = re.compile(rf"^DESC(?:RIBE)?\s+(?:TABLE\s+)?(EXTENDED\s+)?({NAME})\s+AS\s+JSON$", re.I)
_TBLPROPERTIES = re.compile(rf"^SHOW\s+TBLPROPERTIES\s+({NAME})(?:\s*\(.*\))?$", re.I | re.S)
_LIMITS = [
    (re.compile(r"^DESC(?:RIBE)?\s+HISTORY\b", re.I), "DESCRIBE HISTORY"),
    (re.compile(r"^DESC(?:RIBE)?\s+DETAIL\b", re.I), "DESCRIBE DETAIL"),
    (re.compile(r"^SHOW\s+CREATE\s+TABLE\b", re.I), "SHOW CREATE TABLE"),
    (re.compile(r"^(REFRESH|RESTORE|CLONE)\b", re.I), None),
    (
        re.compile(
            r"^CREATE\s+(CATALOG|(?:EXTERNAL\s+)?VOLUME|FUNCTION|MATERIALIZED\s+VIEW|STREAMING\s+TABLE)\b",
            re.I,
        ),
        None,
    ),
    (re.compile(rf"^ALTER\s+(TABLE|VIEW)\s+{NAME}\s+RENAME\b", re.I), "ALTER … RENAME TO"),
]
_HISTORY = re.compile(r"^DESC(?:RIBE)?\s+HISTORY\b", re.I)
_DDL = re.compile(r"^(CREATE|DROP|ALTER|REPLACE|USE|TRUNCATE)\b", re.I)
_INSERT = re.compile(r"^INSERT\b", re.I)


def run(session: SessionState, spark: Any, statement: str) -> pa.Table:
    text = head(statement)
    if not text:
        raise SqlError("[PARSE_SYNTAX_ERROR] Syntax error: empty statement.", "PARSE_SYNTAX_ERROR", "42601")
    text = _IDENTIFIER.sub(lambda m: _identifier(m.group(1)), text)
    text = _USE_LITERAL.sub(lambda m: m.group(1) + _identifier(m.group(2)), text)  # `USE CATALOG 'main'`
    task_session = getattr(type(spark).sql, "__brickyard_sql__", False)  # rewrites what it runs itself
    if not task_session:
        text = expand_star_except(expand_group_by_all(text), engine_columns(spark.sql))
        text = fill_insert_columns(text, lambda name: table_schema(spark, name))
    if "information_schema" in text.lower():
        from brickyard.local.sql import information_schema

        text = information_schema.rewrite(spark, text, session.owner)
    if unity_sql.NO_EFFECT.match(text):
        return _empty()
    if (unity_sql.CREATES.match(text) or _HISTORY.match(text)) and task_session:
        return spark.sql(text).toArrow()  # a task's session carries them out (`tasks.sqlrewrite`)
    for pattern, what in _LIMITS:
        if (match := pattern.match(text)) is not None:
            raise SqlError.limit(what or match.group(1).upper())
    if (match := _SET_TZ.match(text)) is not None:
        zone = match.group(1).strip("'\"")
        return _set(session, spark, "spark.sql.session.timeZone", "UTC" if zone.upper() == "LOCAL" else zone)
    if (match := _SET.match(text)) is not None:
        return _set(session, spark, match.group(1), match.group(2))
    if (match := _USE.match(text)) is not None:
        return _use(session, spark, match.group(1), match.group(2))
    if (match := _DESCRIBE_JSON.match(text)) is not None:
        return _describe_json(session, spark, match.group(2))
    if (match := _TBLPROPERTIES.match(text)) is not None:
        return _properties(spark, match.group(1))
    if (column := not_null_column(text)) is not None:
        check_not_null(spark.sql, *column, error=_not_null_violated)
    text = rewrite_table_options(text)
    table = spark.sql(text).toArrow()
    if _DDL.match(text) and table.column_names in (["value"], []):
        return _empty()
    if table.column_names == ["count"] and (_INSERT.match(text) or _DDL.match(text)):
        count = table.column("count")
        import pyarrow as pa

        return pa.table({"num_affected_rows": count, "num_inserted_rows": count})
    return table


def _not_null_violated(message: str) -> SqlError:
    return SqlError(message, "DELTA_NOT_NULL_CONSTRAINT_VIOLATED", "23502")


def clean(statement: str) -> str:
    """The statement without surrounding blanks, trailing semicolons or a trailing comment."""
    text = statement.strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    return text


def head(statement: str) -> str:
    """The statement without leading comments (clients prefix theirs), surrounding blanks or
    trailing semicolons."""
    text = clean(statement)
    while True:
        if text.startswith("--"):
            end = text.find("\n")
            text = "" if end < 0 else text[end + 1 :].lstrip()
        elif text.startswith("/*"):
            end = text.find("*/")
            text = "" if end < 0 else text[end + 2 :].lstrip()
        else:
            return text


def _identifier(literal: str) -> str:
    return ".".join(quote(part) for part in split_name(literal.replace("\\'", "'")))


def _set(session: SessionState, spark: Any, key: str | None, value: str | None) -> pa.Table:
    import pyarrow as pa

    if key is None:
        pairs = sorted(session.conf.items())
        return pa.table({"key": [k for k, _ in pairs], "value": [v for _, v in pairs]})
    if value is not None:
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"`":
            value = value[1:-1]
        spark.conf.set(key, value)
        session.conf[key] = value
    try:
        current = spark.conf.get(key)
    except Exception:
        current = session.conf.get(key, "<undefined>")
    return pa.table({"key": [key], "value": [None if current is None else str(current)]})


def _use(session: SessionState, spark: Any, kind: str | None, name: str) -> pa.Table:
    parts = split_name(name)
    kind = (kind or "").upper()
    if kind == "CATALOG":
        if len(parts) != 1:
            raise SqlError(f"[INVALID_CATALOG_NAME] {name} is not a catalog name.", "INVALID_CATALOG_NAME")
        spark.catalog.setCurrentCatalog(parts[0])
        if _has_schema(spark, "default"):
            spark.sql(f"USE SCHEMA {quote('default')}").collect()
        session.use(catalog=parts[0], schema="default")
        return _empty()
    if len(parts) == 2:
        spark.catalog.setCurrentCatalog(parts[0])
        session.use(catalog=parts[0])
    elif len(parts) != 1:
        raise SqlError(f"[INVALID_SCHEMA_NAME] {name} is not a schema name.", "INVALID_SCHEMA_NAME")
    if not _has_schema(spark, parts[-1]):
        raise SqlError(
            f"[SCHEMA_NOT_FOUND] The schema `{session.catalog}`.`{parts[-1]}` cannot be found.",
            "SCHEMA_NOT_FOUND",
            "42704",
        )
    spark.sql(f"USE SCHEMA {quote(parts[-1])}").collect()
    session.use(schema=parts[-1])
    return _empty()


def _has_schema(spark: Any, schema: str) -> bool:
    rows = spark.sql("SHOW SCHEMAS").collect()
    return any(row[0] == schema for row in rows)


def _describe_json(session: SessionState, spark: Any, name: str) -> pa.Table:
    """`DESCRIBE TABLE EXTENDED … AS JSON`: the documented JSON document, from what Sail describes."""
    import pyarrow as pa

    parts = split_name(name)
    full = [session.catalog, session.schema][: 3 - len(parts)] + parts
    table = ".".join(quote(p) for p in parts)  # as given: a one-part name may be a temporary view
    rows = spark.sql(f"DESCRIBE TABLE EXTENDED {table}").collect()
    info: dict[str, str] = {}
    detailed = False
    for row in rows:
        col_name = row["col_name"] or ""
        detailed = detailed or col_name.startswith("# Detailed")
        if detailed and col_name and not col_name.startswith("#"):
            info[col_name] = row["data_type"]
    columns: list[dict[str, Any]] = []
    for col_name, data_type, comment in table_columns(spark, table):
        column: dict[str, Any] = {"name": col_name, "type": {"name": data_type}, "nullable": True}
        if comment:
            column["comment"] = comment
        columns.append(column)
    doc: dict[str, Any] = {
        "table_name": full[2],
        "catalog_name": full[0],
        "schema_name": full[1],
        "namespace": [full[1]],
        "type": (info.get("Type") or "MANAGED").upper(),
        "provider": info.get("Provider", "delta"),
        "columns": columns,
    }
    if info.get("Location"):
        doc["location"] = info["Location"]
    if info.get("View Text"):
        doc["view_text"] = info["View Text"]
    return pa.table({"json_metadata": [json.dumps(doc)]})


def _properties(spark: Any, name: str) -> pa.Table:
    import pyarrow as pa

    rows = spark.sql(f"DESCRIBE TABLE EXTENDED {name}").collect()
    found = {row["col_name"]: row["data_type"] for row in rows if row["col_name"]}
    pairs: list[tuple[str, str]] = []
    text = found.get("Table Properties", "").strip("[]")
    for item in filter(None, (p.strip() for p in text.split(","))):
        key, _, value = item.partition("=")
        pairs.append((key, value))
    return pa.table({"key": [k for k, _ in pairs], "value": [v for _, v in pairs]})


def _empty() -> pa.Table:
    import pyarrow as pa

    return pa.table({})
