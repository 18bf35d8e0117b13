"""Delta table options that the local engine refuses but that leave a table's rows unchanged.

- `CLUSTER BY (cols)` / `CLUSTER BY AUTO | NONE` of `CREATE TABLE`: liquid clustering lays files
  out for faster reads; the engine refuses the clause ("CLUSTER BY in CREATE TABLE"). It is dropped.
- a table `COMMENT '…'` in `CREATE TABLE … AS SELECT` (dbt's `persist_docs`), and a column's
  `ALTER TABLE t ALTER|CHANGE COLUMN c COMMENT '…'`: the engine takes neither; comments are not
  kept (the column's is recorded as `brickyard.ignored.comment.<column>`).
- `ALTER TABLE t ALTER COLUMN c SET NOT NULL` (dbt's model contracts): the engine cannot add the
  constraint, so the column is checked once instead (`not_null_column`); rows with a null fail
  the statement as Databricks would, otherwise it is recorded as `brickyard.ignored.not_null.<c>`.
- `delta.enableChangeDataFeed` and `delta.enableRowTracking` set to true in `TBLPROPERTIES` (of
  `CREATE TABLE` or `ALTER TABLE … SET TBLPROPERTIES`): the engine's Delta writer does not have
  these table features ("Table features must be specified"). The property is kept under the name
  `brickyard.ignored.<property>`, so the table still says what was asked and the statement runs.
- `CREATE OR REPLACE TABLE … AS SELECT` (and `REPLACE TABLE … AS`) of a Delta table replaces its
  columns on Databricks; the engine keeps the old ones and refuses a query with a new column
  ("Use mergeSchema=true"), so the statement gets the Delta option `overwriteSchema`, in its
  `OPTIONS` if it has them (a dbt model that gained a column builds again, as on Databricks).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from brickyard.local.sql.text import NAME, NAME_PART, closing_paren, code_spans

IGNORED_PREFIX = "brickyard.ignored."
_FEATURES = frozenset({"delta.enablechangedatafeed", "delta.enablerowtracking"})
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
"""Blanks and comments before a statement (dbt starts each of its statements with one)."""
_TABLE_DDL = re.compile(r"(CREATE\s+(OR\s+REPLACE\s+)?TABLE|REPLACE\s+TABLE|ALTER\s+TABLE)\b", re.I)
_PROPERTY = re.compile(r"""(\s*)(?:(['"`])([\w.\-]+)\2|([\w.\-]+))(\s*=?\s*)(?:(['"])(\w+)\6|(\w+))""", re.I)
_BODY_START = re.compile(r"\bAS\s*(\(|SELECT\b|WITH\b|FROM\b|VALUES\b|TABLE\b)", re.I)
_CLUSTER_BY = re.compile(r"\s*\bCLUSTER\s+BY\s+(?:\([^()]*\)|AUTO\b|NONE\b)", re.I)
_ALTER_COLUMN = re.compile(
    rf"ALTER\s+TABLE\s+({NAME})\s+(?:ALTER|CHANGE)\s+(?:COLUMN\s+)?({NAME_PART})\s+"
    r"(?:SET\s+NOT\s+NULL|COMMENT\s+('(?:[^'\\]|\\.)*'))\s*;?\s*$",
    re.I,
)
_TABLE_COMMENT = re.compile(r"\bCOMMENT\s+(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")", re.I)
_TBLPROPERTIES = re.compile(r"\bTBLPROPERTIES\s*\(", re.I)
_REPLACING = re.compile(r"(CREATE\s+OR\s+REPLACE|REPLACE)\s+TABLE\b", re.I)
_USING = re.compile(r"\bUSING\s+(\w+)", re.I)
_OPTIONS = re.compile(r"\bOPTIONS\s*\(", re.I)
OVERWRITE_SCHEMA = "'overwriteSchema' = 'true'"


def rewrite_table_options(statement: str) -> str:
    """`statement` (a `CREATE`/`ALTER TABLE`) without the options the engine refuses."""
    leading = _LEADING.match(statement)
    start = leading.end() if leading else 0
    if not _TABLE_DDL.match(statement, start):
        return statement
    if (column := _ALTER_COLUMN.match(statement, start)) is not None:
        what = "not_null" if column.group(3) is None else "comment"
        value = "true" if column.group(3) is None else column.group(3)[1:-1]
        return f"ALTER TABLE {column.group(1)} SET TBLPROPERTIES ('{IGNORED_PREFIX}{what}.{column.group(2).strip('`')}' = '{value}')"
    end = _header_end(statement, code_spans(statement))
    header, body = statement[:end], statement[end:]
    header = _in_code(header, code_spans(header), lambda code: _CLUSTER_BY.sub("", code))
    if end < len(statement):
        # Each step reads the header as the step before left it.
        header = _without_table_comment(header, code_spans(header))
        if _REPLACING.match(statement, start):
            header = _overwrite_schema(header, code_spans(header))
    return _properties(header) + body


def _overwrite_schema(header: str, spans: list[tuple[int, int]]) -> str:
    """A replacing CTAS's header with the Delta option that lets the query change the columns."""
    code = "".join(header[a:b] for a, b in spans)
    using = _USING.search(code)
    if (using is not None and using.group(1).lower() != "delta") or "overwriteschema" in header.lower():
        return header
    for match in _OPTIONS.finditer(header):
        if any(a <= match.start() < b for a, b in spans):
            return header[: match.end()] + OVERWRITE_SCHEMA + ", " + header[match.end() :]
    return header.rstrip() + f" OPTIONS ({OVERWRITE_SCHEMA}) "


def not_null_column(statement: str) -> tuple[str, str] | None:
    """(table, column) of `ALTER TABLE t ALTER COLUMN c SET NOT NULL`, which the engine refuses."""
    leading = _LEADING.match(statement)
    column = _ALTER_COLUMN.match(statement, leading.end() if leading else 0)
    if column is None or column.group(3) is not None:
        return None
    return column.group(1), column.group(2)


def check_not_null(
    run: Callable[[str], Any],
    table: str,
    column: str,
    error: Callable[[str], Exception] = ValueError,
) -> None:
    """What `SET NOT NULL` checks on Databricks, checked once: the engine cannot add the constraint.
    `run` gives a DataFrame of a query; a column with nulls raises `error(message)`."""
    nulls = run(f"SELECT count(*) AS n FROM {table} WHERE {column} IS NULL").collect()[0][0]
    if nulls:
        raise error(
            f"[DELTA_NOT_NULL_CONSTRAINT_VIOLATED] NOT NULL constraint violated for column: "
            f"{column.strip('`')}: {nulls} row(s) of {table} are null"
        )


def _without_table_comment(header: str, spans: list[tuple[int, int]]) -> str:
    for match in _TABLE_COMMENT.finditer(header):
        in_code = any(a <= match.start() < b for a, b in spans)
        before = "".join(header[a : min(b, match.start())] for a, b in spans if a < match.start())
        if in_code and before.count("(") == before.count(")"):
            return header[: match.start()] + " " + header[match.end() :]
    return header


def _header_end(statement: str, spans: list[tuple[int, int]]) -> int:
    """Where a CTAS's query starts (the table's options come before it): the first `AS SELECT …`
    outside parentheses (a generated column's `AS (…)` is inside the column list)."""
    depth = 0
    for start, stop in spans:
        at = start
        for match in _BODY_START.finditer(statement, start, stop):
            segment = statement[at : match.start()]
            depth += segment.count("(") - segment.count(")")
            at = match.start()
            if depth == 0:
                return match.start()
        segment = statement[at:stop]
        depth += segment.count("(") - segment.count(")")
    return len(statement)


def _in_code(text: str, spans: list[tuple[int, int]], change: object) -> str:
    out, last = [], 0
    for start, stop in spans:
        if start >= len(text):
            break
        stop = min(stop, len(text))
        out.append(text[last:start])
        out.append(change(text[start:stop]))  # type: ignore[operator]
        last = stop
    out.append(text[last:])
    return "".join(out)


def _properties(header: str) -> str:
    match = _TBLPROPERTIES.search(header)
    if match is None:
        return header
    open_at = match.end() - 1
    close = closing_paren(header, open_at)
    inner = _PROPERTY.sub(_rename, header[open_at + 1 : close])
    return header[: open_at + 1] + inner + header[close:]


def _rename(match: re.Match[str]) -> str:
    key = match.group(3) or match.group(4)
    value = match.group(7) or match.group(8)
    if key.lower() not in _FEATURES or value.lower() != "true":
        return match.group(0)
    return f"{match.group(1)}'{IGNORED_PREFIX}{key}' = 'true'"
