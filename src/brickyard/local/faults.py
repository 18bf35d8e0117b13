"""Fault injection: make the local workspace fail on purpose, so retry and recovery code gets tested.

A server starts with a rule table from a JSON file (`brickyard local up --faults FILE`, or the env
variable `BRICKYARD_LOCAL_FAULTS=FILE`), and tests change it at runtime through the token-protected
endpoint `/api/2.0/brickyard/faults` (GET lists, POST appends, PUT replaces, DELETE clears).

The file, and the body of POST/PUT, is `{"rules": [RULE, ...]}` (a bare list also works). A RULE:

    {
      "path": "^/api/2\\.[0-9]/jobs/runs/get$",   regex, searched in the request path (required)
      "method": "GET",                             only this HTTP method (default: any)
      "status": 503,                               answer with this status (default: none = only delay)
      "error_code": "TEMPORARILY_UNAVAILABLE",     default: derived from the status
      "message": "injected fault",                 default: "injected fault"
      "retry_after": 1,                            seconds, sent as the Retry-After header
      "delay": 0.5,                                seconds to wait before answering (or passing on)
      "count": 2                                   fire this many times, then expire (default: always)
    }

Rules are tried in order; the first live rule that matches fires. The SDK retries 429 and 503
(honouring Retry-After) and fails at once on other statuses, which is what these rules exercise.
The faults endpoint itself is never subject to rules, so a test can always clear them.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brickyard.errors import LocalWorkspaceError

_DEFAULT_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "RESOURCE_DOES_NOT_EXIST",
    409: "RESOURCE_CONFLICT",
    429: "REQUEST_LIMIT_EXCEEDED",
    500: "INTERNAL_ERROR",
    501: "NOT_IMPLEMENTED",
    503: "TEMPORARILY_UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


@dataclass
class FaultRule:
    path: str
    method: str | None = None
    status: int | None = None
    error_code: str | None = None
    message: str = "injected fault"
    retry_after: float | None = None
    delay: float = 0.0
    count: int | None = None
    hits: int = 0
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            self._pattern = re.compile(self.path)
        except re.error as err:
            raise ValueError(f"fault rule path {self.path!r} is not a valid regex: {err}") from None
        if self.method is not None:
            self.method = self.method.upper()
        if self.status is not None and not 100 <= self.status <= 599:
            raise ValueError(f"fault rule status {self.status} is not an HTTP status")
        if self.status is None and not self.delay:
            raise ValueError("a fault rule needs a status, a delay, or both")

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> FaultRule:
        known = {"path", "method", "status", "error_code", "message", "retry_after", "delay", "count"}
        unknown = set(doc) - known
        if unknown:
            raise ValueError(f"unknown fault rule field(s): {', '.join(sorted(unknown))}")
        if not isinstance(doc.get("path"), str):
            raise ValueError("a fault rule needs a `path` regex")
        return cls(
            path=doc["path"],
            method=doc.get("method"),
            status=_opt_int(doc.get("status")),
            error_code=doc.get("error_code"),
            message=str(doc.get("message") or "injected fault"),
            retry_after=_opt_float(doc.get("retry_after")),
            delay=float(doc.get("delay") or 0.0),
            count=_opt_int(doc.get("count")),
        )

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"path": self.path, "hits": self.hits}
        for name in ("method", "status", "error_code", "retry_after", "count"):
            if (value := getattr(self, name)) is not None:
                doc[name] = value
        if self.delay:
            doc["delay"] = self.delay
        if self.status is not None:
            doc["message"] = self.message
        return doc

    @property
    def code(self) -> str:
        return self.error_code or _DEFAULT_CODES.get(self.status or 500, "INTERNAL_ERROR")

    def matches(self, method: str, path: str) -> bool:
        if self.count is not None and self.hits >= self.count:
            return False
        if self.method is not None and self.method != method.upper():
            return False
        return self._pattern.search(path) is not None


class FaultTable:
    """The live rules; `match` counts a hit atomically so concurrent requests share `count` exactly."""

    def __init__(self, rules: list[FaultRule] | None = None) -> None:
        self._lock = threading.Lock()
        self._rules = list(rules or [])

    def __bool__(self) -> bool:
        return bool(self._rules)

    def match(self, method: str, path: str) -> FaultRule | None:
        if not self._rules:
            return None
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.hits += 1
                    return rule
        return None

    def add(self, rules: list[FaultRule]) -> None:
        with self._lock:
            self._rules.extend(rules)

    def replace(self, rules: list[FaultRule]) -> None:
        with self._lock:
            self._rules = list(rules)

    def clear(self) -> None:
        self.replace([])

    def as_list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.as_dict() for rule in self._rules]


def parse_rules(doc: Any) -> list[FaultRule]:
    """Rules from `{"rules": [...]}` or a bare list; ValueError says which rule is wrong and why."""
    items = doc.get("rules", []) if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise ValueError('fault rules must be a list, or an object {"rules": [...]}')
    rules = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"fault rule {index} is not an object")
        try:
            rules.append(FaultRule.from_dict(item))
        except (TypeError, ValueError) as err:
            raise ValueError(f"fault rule {index}: {err}") from None
    return rules


def load_rules(path: Path) -> list[FaultRule]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise LocalWorkspaceError(f"cannot read the fault rules in {path}: {err.strerror}") from None
    except json.JSONDecodeError as err:
        raise LocalWorkspaceError(f"{path}:{err.lineno}:{err.colno}: invalid JSON: {err.msg}") from None
    try:
        return parse_rules(doc)
    except ValueError as err:
        raise LocalWorkspaceError(f"{path}: {err}") from None


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)
