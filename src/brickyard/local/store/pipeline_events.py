"""The pipeline event log: every event of every update, as `pipelines/{id}/events` returns them.

Events arrive from the update's worker while it runs (`runs.update_execution` tails its file) and
are stored whole, with the columns that filters use alongside. The API's filter language is a small
SQL subset: `level='INFO'`, `level in ('INFO', 'WARN')`, `id='…'`, `timestamp > '…'` (and `>=`,
`<`, `<=`, `=`), `update_id = '…'`, `event_type = '…'`, joined with AND. It is parsed here into a
parameterized WHERE clause, so a filter can never reach SQLite as text.
"""

from __future__ import annotations

import re
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.store.db import Database, dumps, loads

FIELDS = {
    "level": "level",
    "id": "event_id",
    "timestamp": "timestamp",
    "update_id": "update_id",
    "origin.update_id": "update_id",
    "event_type": "event_type",
}
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>>=|<=|!=|<>|=|>|<)|(?P<punct>[(),])|(?P<word>[A-Za-z_][\w.]*))"
)
Filter = tuple[str, list[str]]


def parse_filter(text: str | None) -> Filter:
    """`(where clause, parameters)` for an event filter; an empty clause for no filter."""
    if not text or not text.strip():
        return "", []
    tokens = _tokens(text)
    clauses: list[str] = []
    params: list[str] = []
    position = 0
    while True:
        clause, position = _condition(tokens, position, params, text)
        clauses.append(clause)
        if position == len(tokens):
            break
        if tokens[position] != ("word", "AND"):
            raise _bad(text, f"expected AND, found {tokens[position][1]!r}")
        position += 1
    return " AND ".join(clauses), params


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _bad(text, f"unexpected {text[position : position + 10]!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "string":
            value = value[1:-1].replace("''", "'")
        elif kind == "word" and value.upper() in ("AND", "IN"):
            value = value.upper()
        found.append((kind, value))
        position = match.end()
    return found


def _condition(tokens: list[tuple[str, str]], at: int, params: list[str], text: str) -> tuple[str, int]:
    if at >= len(tokens) or tokens[at][0] != "word":
        raise _bad(text, "expected a field name")
    field = tokens[at][1].lower()
    column = FIELDS.get(field)
    if column is None:
        raise _bad(text, f"cannot filter on {tokens[at][1]!r}; use {', '.join(sorted(FIELDS))}")
    if at + 1 < len(tokens) and tokens[at + 1] == ("word", "IN"):
        values, at = _list(tokens, at + 2, text)
        params.extend(values)
        return f"{column} IN ({', '.join('?' for _ in values)})", at
    if at + 2 >= len(tokens) or tokens[at + 1][0] != "op" or tokens[at + 2][0] != "string":
        raise _bad(text, f"expected {field} <operator> '<value>'")
    op = "!=" if tokens[at + 1][1] == "<>" else tokens[at + 1][1]
    if op not in ("=", "!=") and column != "timestamp":
        raise _bad(text, f"{field} can only be compared with = or !=")
    params.append(tokens[at + 2][1])
    return f"{column} {op} ?", at + 3


def _list(tokens: list[tuple[str, str]], at: int, text: str) -> tuple[list[str], int]:
    if at >= len(tokens) or tokens[at] != ("punct", "("):
        raise _bad(text, "expected ( after IN")
    values: list[str] = []
    at += 1
    while at < len(tokens) and tokens[at][0] == "string":
        values.append(tokens[at][1])
        at += 1
        if at < len(tokens) and tokens[at] == ("punct", ","):
            at += 1
    if not values or at >= len(tokens) or tokens[at] != ("punct", ")"):
        raise _bad(text, "expected a list of quoted values in IN (…)")
    return values, at + 1


def _bad(text: str, why: str) -> ApiError:
    return ApiError.invalid(f"Invalid filter {text!r}: {why}.")


def parse_order(order_by: list[str] | None) -> bool:
    """True for ascending; the API orders by timestamp only, newest first by default."""
    if not order_by:
        return False
    if len(order_by) != 1:
        raise ApiError.invalid("order_by takes one entry: 'timestamp asc' or 'timestamp desc'")
    parts = order_by[0].strip().lower().split()
    if not parts or parts[0] != "timestamp" or len(parts) > 2 or parts[1:] not in ([], ["asc"], ["desc"]):
        raise ApiError.invalid(f"Invalid order_by {order_by[0]!r}: use 'timestamp asc' or 'timestamp desc'")
    return parts[1:] == ["asc"]


class EventStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def append(self, pipeline_id: str, events: list[dict[str, Any]]) -> None:
        rows = [
            (
                pipeline_id,
                (e.get("origin") or {}).get("update_id"),
                str(e.get("id", "")),
                str(e.get("timestamp", "")),
                str(e.get("level", "INFO")),
                str(e.get("event_type", "")),
                dumps(e),
            )
            for e in events
        ]
        with self.db.tx() as conn:
            conn.executemany(
                "INSERT INTO pipeline_events(pipeline_id, update_id, event_id, timestamp, level, event_type, doc) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def page(
        self, pipeline_id: str, where: Filter, ascending: bool, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], bool]:
        clause, params = where
        direction = "ASC" if ascending else "DESC"
        sql = "SELECT doc FROM pipeline_events WHERE pipeline_id = ?"
        if clause:
            sql += f" AND {clause}"
        sql += f" ORDER BY timestamp {direction}, seq {direction} LIMIT ? OFFSET ?"
        rows = self.db.query(sql, [pipeline_id, *params, limit + 1, offset])
        return [loads(r["doc"]) for r in rows[:limit]], len(rows) > limit

    def of_update(self, pipeline_id: str, update_id: str) -> list[dict[str, Any]]:
        rows = self.db.query(
            "SELECT doc FROM pipeline_events WHERE pipeline_id = ? AND update_id = ? ORDER BY seq",
            (pipeline_id, update_id),
        )
        return [loads(r["doc"]) for r in rows]
