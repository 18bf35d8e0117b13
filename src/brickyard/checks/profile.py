"""A table's profile: row count, and per checked column its nulls, distinct values and outliers.

One aggregate query per table, so a profile costs one scan. The SQL is plain Spark/Databricks SQL
and runs anywhere a statement can: a SQL warehouse through the Statement Execution API (any
target, including the local workspace) or a Spark session (as a job task).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from brickyard.checks.model import TableRules
from brickyard.local.sql.text import quote

RunSql = Callable[[str], Sequence[Sequence[Any]]]


@dataclass(frozen=True)
class ColumnProfile:
    nulls: int
    distinct: int
    rejected: int | None = None
    """Rows whose value is not among the accepted values (when the column has that rule)."""


@dataclass(frozen=True)
class TableProfile:
    table: str
    taken: str
    rows: int
    columns: dict[str, ColumnProfile] = field(default_factory=dict)
    newest: str | None = None
    """The freshness column's latest value, ISO 8601."""

    def null_rate(self, column: str) -> float:
        return self.columns[column].nulls / self.rows if self.rows else 0.0

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> TableProfile:
        return cls(
            table=doc["table"],
            taken=doc["taken"],
            rows=int(doc["rows"]),
            columns={k: ColumnProfile(**v) for k, v in (doc.get("columns") or {}).items()},
            newest=doc.get("newest"),
        )


def table_name(full_name: str) -> str:
    return ".".join(quote(part) for part in full_name.split("."))


def literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def profile_query(table: str, rules: TableRules) -> str:
    parts = ["count(*)"]
    for column, column_rules in rules.columns.items():
        c = quote(column)
        parts += [f"count({c})", f"count(DISTINCT {c})"]
        if column_rules.accepted_values is not None:
            values = ", ".join(literal(v) for v in column_rules.accepted_values)
            parts.append(f"count_if({c} IS NOT NULL AND {c} NOT IN ({values}))")
    if rules.freshness is not None:
        parts.append(f"CAST(max({quote(rules.freshness.column)}) AS STRING)")
    return f"SELECT {', '.join(parts)} FROM {table_name(table)}"


def take_profile(table: str, rules: TableRules, run_sql: RunSql) -> TableProfile:
    rows = run_sql(profile_query(table, rules))
    values = list(rows[0]) if rows else []
    total = int(values.pop(0) or 0)
    columns = {}
    for column, column_rules in rules.columns.items():
        present, distinct = int(values.pop(0) or 0), int(values.pop(0) or 0)
        rejected = int(values.pop(0) or 0) if column_rules.accepted_values is not None else None
        columns[column] = ColumnProfile(nulls=total - present, distinct=distinct, rejected=rejected)
    newest = values.pop(0) if rules.freshness is not None else None
    return TableProfile(
        table=table,
        taken=dt.datetime.now(dt.UTC).isoformat(),
        rows=total,
        columns=columns,
        newest=None if newest is None else str(newest),
    )
