"""Running SQL text the way a Databricks SQL cell or SQL file does: statement by statement.

Spark Connect takes one statement per call, so text is split on semicolons outside quotes and
comments. Widget values reach SQL as `${name}` (legacy text substitution) and as `:name` parameter
markers, which become string literals: Sail refuses bound parameters in commands (`INSERT`,
`CREATE`), and a widget value is a string either way. A few statements Sail does not parse but
Databricks users write are carried out through the session API instead: `SET key = value`, and
`USE` with a catalog-qualified schema or without the SCHEMA keyword. Databricks constructs the
engine does not parse (IDENTIFIER, informational constraints, materialized views) are rewritten
first (`sqlrewrite`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from brickyard.local.sql.text import closing_quote, marker_at
from brickyard.local.tasks.sqlrewrite import engine_limit_note, rewrite

_LEGACY = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.]*)\}")
_SET = re.compile(r"^SET\s+(?!VAR\b|VARIABLE\b|TIME\s+ZONE\b)([A-Za-z0-9_.\-]+)\s*=\s*(.*)$", re.I | re.S)
_CREATE_WIDGET = re.compile(
    r"^CREATE\s+WIDGET\s+(TEXT|DROPDOWN|COMBOBOX|MULTISELECT)\s+([`\w]+)\s+DEFAULT\s+('(?:[^'\\]|\\.)*'|\"[^\"]*\"|\S+)",
    re.I,
)
_REMOVE_WIDGET = re.compile(r"^REMOVE\s+WIDGET\s+([`\w]+)$", re.I)
_USE = re.compile(r"^USE\s+(?:(SCHEMA|DATABASE|NAMESPACE)\s+)?([`\w.]+)$", re.I)


def split_statements(text: str, values: Mapping[str, str] | None = None) -> list[str]:
    """Statements of `text` (no empty or comment-only ones), `:name` markers in `values` filled in."""
    values = values or {}
    statements: list[str] = []
    current: list[str] = []
    meaningful = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in ("'", '"', "`"):
            end = closing_quote(text, i)
            current.append(text[i:end])
            meaningful, i = True, end
        elif text.startswith("--", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            current.append(text[i:end])
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            current.append(text[i:end])
            i = end
        elif ch == ";":
            if meaningful:
                statements.append("".join(current).strip())
            current, meaningful = [], False
            i += 1
        elif ch == ":" and (name := marker_at(text, i)) is not None and name in values:
            current.append(_literal(values[name]))
            meaningful, i = True, i + 1 + len(name)
        else:
            meaningful = meaningful or not ch.isspace()
            current.append(ch)
            i += 1
    if meaningful:
        statements.append("".join(current).strip())
    return statements


def substitute(text: str, values: Mapping[str, str]) -> str:
    """`${name}` replaced by the widget value; unknown names are left for Spark to report."""
    return _LEGACY.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def run_sql(
    spark: Any,
    text: str,
    values: Mapping[str, str],
    show: Callable[[Any], None] | None = None,
    widgets: Any = None,
) -> Any:
    """Run every statement; show the last one's result (as a cell does) and return it.

    With `widgets` (a notebook's), `CREATE WIDGET` and `REMOVE WIDGET` statements declare and
    remove widgets; declarations come first, so the cell's markers see their values.
    A failing statement's exception gets a note naming it, so the trace says which one failed.
    """
    result = None
    if widgets is not None and "widget" in text.lower():
        for statement in split_statements(text):
            if (match := _CREATE_WIDGET.match(statement)) is not None:
                widgets.text(match.group(2).strip("`"), _unquote(match.group(3)), match.group(2).strip("`"))
        values = {**values, **widgets.getAll()}
    statements = split_statements(substitute(text, values), values)
    for index, statement in enumerate(statements, start=1):
        if _CREATE_WIDGET.match(statement):
            continue
        if (match := _REMOVE_WIDGET.match(statement)) is not None:
            if widgets is not None:
                widgets.remove(match.group(1).strip("`"))
            continue
        try:
            result = execute_statement(spark, statement)
            if show is not None and result is not None and index == len(statements):
                show(result)  # a query runs only now: its errors belong to this statement too
        except Exception as exc:
            shown = statement if len(statement) <= 300 else statement[:300] + " …"
            exc.add_note(f"in SQL statement {index} of {len(statements)}:\n{shown}")
            if (note := engine_limit_note(exc)) is not None:
                exc.add_note(note)
            raise
    return result


def execute_statement(spark: Any, statement: str) -> Any:
    """One statement; None for the ones carried out through the session API."""
    text = rewrite(statement.rstrip(";").strip())
    if (match := _SET.match(text)) is not None:
        spark.conf.set(match.group(1), _unquote(match.group(2).strip()))
        return None
    if (match := _USE.match(text)) is not None and (match.group(1) is None or "." in match.group(2)):
        parts = [part.strip("`") for part in match.group(2).split(".")]
        if len(parts) == 2:
            spark.catalog.setCurrentCatalog(parts[0])
        spark.sql(f"USE SCHEMA `{parts[-1]}`")
        return None
    return spark.sql(text)


def _literal(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"`":
        return value[1:-1]
    return value
