"""The one error a SQL statement fails with, in the terms both SQL APIs report: a message, an
error class (`TABLE_OR_VIEW_NOT_FOUND`, `PARSE_SYNTAX_ERROR`, …) and a SQLSTATE."""

from __future__ import annotations

import re

LOCAL_LIMIT = "LOCAL_ENGINE_LIMIT"

_CLASS = re.compile(r"\[([A-Z][A-Z0-9_.]+)\]")


class SqlError(Exception):
    def __init__(self, message: str, error_class: str = "INTERNAL_ERROR", sql_state: str = "XX000") -> None:
        if not message.startswith("["):
            message = f"[{error_class}] {message} SQLSTATE: {sql_state}"
        super().__init__(message)
        self.message = message
        self.error_class = error_class
        self.sql_state = sql_state

    @classmethod
    def limit(cls, what: str) -> SqlError:
        """Something Databricks SQL does that the local engine cannot."""
        return cls(
            f"[{LOCAL_LIMIT}] {what} is not supported by the local SQL engine (Sail) of the brickyard "
            "local workspace.",
            LOCAL_LIMIT,
            "0A000",
        )

    @classmethod
    def from_engine(cls, err: BaseException) -> SqlError:
        """An engine exception in Databricks terms: its first line, its error class when it names one."""
        if isinstance(err, SqlError):
            return err
        text = str(getattr(err, "message", None) or err).strip() or type(err).__name__
        first = text.splitlines()[0]
        if (match := _CLASS.search(first)) is not None:
            error_class = match.group(1)
        elif "not found" in first.lower():
            error_class = "TABLE_OR_VIEW_NOT_FOUND"
        elif "invalid argument: found" in first or "expected" in first:
            error_class = "PARSE_SYNTAX_ERROR"
        else:
            error_class = "INTERNAL_ERROR"
        state = _STATES.get(error_class, "XX000" if error_class == "INTERNAL_ERROR" else "42000")
        message = first[match.start() :] if match is not None else f"[{error_class}] {first}"
        return cls(f"{message} SQLSTATE: {state}", error_class, state)


_STATES = {
    "TABLE_OR_VIEW_NOT_FOUND": "42P01",
    "PARSE_SYNTAX_ERROR": "42601",
    "UNRESOLVED_COLUMN": "42703",
    "SCHEMA_NOT_FOUND": "42704",
    "DIVIDE_BY_ZERO": "22012",
}
