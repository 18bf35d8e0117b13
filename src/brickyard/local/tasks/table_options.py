"""Delta table options that the local engine refuses but that leave a table's rows unchanged.

- `CLUSTER BY (cols)` / `CLUSTER BY AUTO | NONE` of `CREATE TABLE`: liquid clustering lays files
  out for faster reads; the engine refuses the clause ("CLUSTER BY in CREATE TABLE"). It is dropped.
- `delta.enableChangeDataFeed` and `delta.enableRowTracking` set to true in `TBLPROPERTIES` (of
  `CREATE TABLE` or `ALTER TABLE … SET TBLPROPERTIES`): the engine's Delta writer does not have
  these table features ("Table features must be specified"). The property is kept under the name
  `brickyard.ignored.<property>`, so the table still says what was asked and the statement runs.
"""

from __future__ import annotations

import re

from brickyard.local.sql.text import closing_quote

IGNORED_PREFIX = "brickyard.ignored."
_FEATURES = frozenset({"delta.enablechangedatafeed", "delta.enablerowtracking"})
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
"""Blanks and comments before a statement (dbt starts each of its statements with one)."""
_TABLE_DDL = re.compile(r"(CREATE\s+(OR\s+REPLACE\s+)?TABLE|REPLACE\s+TABLE|ALTER\s+TABLE)\b", re.I)
_PROPERTY = re.compile(r"""(\s*)(?:(['"`])([\w.\-]+)\2|([\w.\-]+))(\s*=?\s*)(?:(['"])(\w+)\6|(\w+))""", re.I)
_BODY_START = re.compile(r"\bAS\s*(\(|SELECT\b|WITH\b|FROM\b|VALUES\b|TABLE\b)", re.I)
_CLUSTER_BY = re.compile(r"\s*\bCLUSTER\s+BY\s+(?:\([^()]*\)|AUTO\b|NONE\b)", re.I)
_TBLPROPERTIES = re.compile(r"\bTBLPROPERTIES\s*\(", re.I)


def rewrite_table_options(statement: str, code_spans: list[tuple[int, int]]) -> str:
    """`statement` (a `CREATE`/`ALTER TABLE`) without the options the engine refuses."""
    leading = _LEADING.match(statement)
    if not _TABLE_DDL.match(statement, leading.end() if leading else 0):
        return statement
    end = _header_end(statement, code_spans)
    header, body = statement[:end], statement[end:]
    header = _in_code(header, code_spans, lambda code: _CLUSTER_BY.sub("", code))
    return _properties(header) + body


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
    close = _closing(header, open_at)
    inner = _PROPERTY.sub(_rename, header[open_at + 1 : close])
    return header[: open_at + 1] + inner + header[close:]


def _rename(match: re.Match[str]) -> str:
    key = match.group(3) or match.group(4)
    value = match.group(7) or match.group(8)
    if key.lower() not in _FEATURES or value.lower() != "true":
        return match.group(0)
    return f"{match.group(1)}'{IGNORED_PREFIX}{key}' = 'true'"


def _closing(text: str, open_at: int) -> int:
    depth, i = 0, open_at
    while i < len(text):
        ch = text[i]
        if ch in "'\"`":
            i = closing_quote(text, i)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text)
