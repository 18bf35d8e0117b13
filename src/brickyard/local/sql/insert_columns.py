"""`INSERT INTO t (a, b) VALUES …` that names some of the table's columns, or names them in
another case or order.

Databricks fills the columns the list leaves out with their default (NULL when there is none) and
matches names without regard to case; the local engine wants every column, in the table's order
and case. Such an insert of `VALUES` is written out for it: the rows become a named inline table
and the insert selects the table's columns from it, a typed NULL for each one left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from brickyard.local.sql.text import NAME, closing_paren, split_top_level

_INSERT = re.compile(
    rf"^(INSERT\s+INTO\s+(?:TABLE\s+)?)({NAME})\s*\(",
    re.I,
)
_VALUES = re.compile(r"\s*VALUES\b", re.I)
Schema = list[tuple[str, str]]
"""A table's columns: (name, type) in order."""


def fill_insert_columns(statement: str, schema_of: Callable[[str], Schema | None]) -> str:
    """`statement` with its column list spelled out over the whole table when it names a part of
    it (or names it otherwise); unchanged for any other statement or when the table is unknown."""
    match = _INSERT.match(statement)
    if match is None:
        return statement
    close = closing_paren(statement, match.end() - 1)
    listed = [c.strip().strip("`") for c in split_top_level(statement[match.end() : close])]
    values = _VALUES.match(statement, close + 1)
    if values is None or not all(listed):
        return statement
    schema = schema_of(match.group(2))
    if not schema:
        return statement
    by_name = {c.lower(): c for c in listed}
    if [c for c in listed] == [name for name, _ in schema] or not set(by_name) <= {
        n.lower() for n, _ in schema
    }:
        return statement  # as the table has them, or naming columns it lacks: the engine says so
    rows = statement[values.end() :].strip().rstrip(";")
    aliases = ", ".join(f"`{c}`" for c in listed)
    chosen = ", ".join(
        f"`{by_name[name.lower()]}` AS `{name}`"
        if name.lower() in by_name
        else f"CAST(NULL AS {kind}) AS `{name}`"
        for name, kind in schema
    )
    return f"{match.group(1)}{match.group(2)} SELECT {chosen} FROM VALUES {rows} AS __inserted({aliases})"


def table_schema(spark: Any, name: str) -> Schema | None:
    """A table's (column, type) pairs, as `fill_insert_columns` asks for them; None when the engine
    does not know it (the insert then fails there, in its words)."""
    try:
        return [(f.name, f.dataType.simpleString()) for f in spark.table(name).schema]
    except Exception:  # not a table the engine has
        return None
