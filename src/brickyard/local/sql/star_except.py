"""`SELECT * EXCEPT (a, b)`, which Databricks SQL has and the local engine does not parse.

`[t.]* EXCEPT (cols)` selects every column the star would, less the ones named. The engine is
asked which columns the star stands for (`SELECT [t.]* FROM <the same FROM clause>`, analysed, not
run; with the statement's common table expressions that come before it), and the item becomes
those columns spelled out, qualified as the star was. Left as written, for the engine to refuse in
its words, when the columns cannot be known that way, when a named column is not among them, or
when an unqualified star over a join would name one column twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from brickyard.local.sql.text import (
    NAME_PART,
    closing_paren,
    enclosing_select,
    masked,
    quote,
    select_list_end,
    split_name,
    split_top_level,
    top_level_match,
)

ColumnsOf = Callable[[str], list[str] | None]
"""The columns a query returns (analysed by the engine), or None when the engine refuses it."""

_STAR_EXCEPT = re.compile(rf"(?<![\w`.$])((?:{NAME_PART}\s*\.\s*)*)\*\s*EXCEPT\s*\(", re.I)
_CLAUSE_END = re.compile(
    r";|(WHERE|GROUP\s+BY|HAVING|QUALIFY|WINDOW|ORDER\s+BY|SORT\s+BY|CLUSTER\s+BY|DISTRIBUTE\s+BY"
    r"|LIMIT|OFFSET|UNION|INTERSECT|EXCEPT|MINUS)\b",
    re.I,
)
_WITH = re.compile(r"\bWITH\s+(?:RECURSIVE\s+)?", re.I)
_CTE_HEAD = re.compile(rf"\s*({NAME_PART})\s*(\([^()]*\))?\s*AS\s*\(", re.I)


def expand_star_except(statement: str, columns_of: ColumnsOf) -> str:
    """`statement` with each `[t.]* EXCEPT (…)` spelled out; unchanged without one."""
    if not re.search(r"\*\s*EXCEPT\s*\(", statement, re.I):
        return statement
    at = 0
    while (match := _STAR_EXCEPT.search(code := masked(statement), at)) is not None:
        replacement = _columns(statement, code, match, columns_of)
        if replacement is None:
            at = match.end()
            continue
        end = closing_paren(statement, match.end() - 1) + 1
        statement = statement[: match.start()] + replacement + statement[end:]
        at = match.start() + len(replacement)
    return statement


def _columns(statement: str, code: str, match: re.Match[str], columns_of: ColumnsOf) -> str | None:
    """The columns `match` stands for, written out; `code` is the statement without its strings."""
    select = enclosing_select(code, match.start())
    if select is None or select_list_end(code, select, len(code)) < match.start():
        return None  # not an item of a SELECT list
    close = closing_paren(code, match.end() - 1)
    start_from = select_list_end(code, close + 1, len(code))
    if start_from >= len(code):
        return None  # a SELECT without FROM: no star to expand
    qualifier = statement[match.start(1) : match.end(1)]
    probe = f"{_earlier_ctes(statement, code, match.start())}SELECT {qualifier}* {statement[start_from : _from_end(code, start_from)]}"
    columns = columns_of(probe)
    excluded = {
        split_name(item.strip())[-1].lower() for item in split_top_level(statement[match.end() : close])
    }
    if not columns or not excluded <= {c.lower() for c in columns}:
        return None
    kept = [c for c in columns if c.lower() not in excluded]
    if not kept or (not qualifier and len({c.lower() for c in kept}) < len(kept)):
        return None
    return ", ".join(qualifier + quote(c) for c in kept)


def _from_end(code: str, start: int) -> int:
    """The end of the FROM clause starting at `start`: the first clause after it at its depth, the
    parenthesis that closes its query, or the end."""
    return top_level_match(code, start + len("FROM"), len(code), _CLAUSE_END)


def _earlier_ctes(statement: str, code: str, at: int) -> str:
    """`WITH a AS (…), b AS (…) ` for the statement's top-level common table expressions that end
    before `at` (the ones a query there may read); empty when there are none."""
    depth_at = [0] * (len(code) + 1)
    depth = 0
    for i, ch in enumerate(code):
        depth_at[i] = depth
        depth += ch == "("
        depth -= ch == ")"
    entries: list[str] = []
    for found in _WITH.finditer(code):
        if depth_at[found.start()] != 0 or found.start() > at:
            continue
        pos = found.end()
        while (head := _CTE_HEAD.match(code, pos)) is not None:
            close = closing_paren(code, head.end() - 1)
            if close >= at:
                break
            entries.append(statement[head.start() : close + 1].strip())
            pos = close + 1
            comma = re.match(r"\s*,", code[pos:])
            if comma is None:
                break
            pos += comma.end()
    return f"WITH {', '.join(entries)} " if entries else ""


def engine_columns(run: Callable[[str], Any]) -> ColumnsOf:
    """`ColumnsOf` through `run` (a session's `sql`): the query is analysed, not run."""

    def columns_of(query: str) -> list[str] | None:
        try:
            return list(run(query).columns)
        except Exception:  # the engine refuses the probe: the statement stays as written
            return None

    return columns_of
