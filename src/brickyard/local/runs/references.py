"""Dynamic value references (`{{job.run_id}}`, `{{tasks.ingest.values.rows}}`, …) in task settings.

Filled in just before a task attempt starts, into every string of its settings, from what is known
at that moment: the job and run, the job parameters, upstream task runs, the for-each input. A
reference that cannot be resolved fails the task with INVALID_RUN_CONFIGURATION, as a workspace
does, instead of passing `{{…}}` through to user code. Non-string values (task values, for-each
items) are inserted as JSON; strings are inserted as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_REF = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_PART = re.compile(r"\[([^\]]*)\]|([^.\[\]]+)")


class ReferenceError_(Exception):
    """A `{{…}}` that names nothing known; the message says which."""


@dataclass(frozen=True)
class UpstreamTask:
    run_id: int
    result_state: str | None
    values: Mapping[str, Any] = field(default_factory=dict)
    error_code: str = ""
    error_message: str = ""
    execution_count: int = 1
    notebook_path: str = ""


@dataclass(frozen=True)
class RefContext:
    job_id: int | None
    job_name: str
    run_id: int
    start_time_ms: int
    trigger: str
    host: str
    workspace_id: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    tasks: Mapping[str, UpstreamTask] = field(default_factory=dict)
    task_key: str = ""
    task_run_id: int | None = None
    notebook_path: str = ""
    execution_count: int = 1
    parent_run_id: int | None = None
    item: Any = None
    has_item: bool = False

    def lookup(self, name: str) -> Any:
        # `job.parameters.[my.name]`: brackets keep a name with dots or dashes in one piece
        parts = [m.group(1) if m.group(1) is not None else m.group(2) for m in _PART.finditer(name)]
        head = parts[0]
        if head == "job":
            return self._job(parts[1:], name)
        if head == "task":
            return self._task(parts[1:], name)
        if head == "tasks" and len(parts) >= 3:
            return self._tasks(parts[1], parts[2:], name)
        if head == "workspace" and len(parts) == 2:
            if parts[1] == "id":
                return self.workspace_id
            if parts[1] == "url":
                return self.host
        if head == "input" and self.has_item:
            return _dig(self.item, parts[1:], name)
        legacy = {
            "job_id": self.job_id,
            "run_id": self.task_run_id if self.task_run_id is not None else self.run_id,
            "parent_run_id": self.parent_run_id if self.parent_run_id is not None else self.run_id,
            "task_key": self.task_key,
            "task_retry_count": self.execution_count - 1,
            "start_date": _start(self.start_time_ms).strftime("%Y-%m-%d"),
            "start_time": self.start_time_ms,
        }
        if len(parts) == 1 and head in legacy:
            return legacy[head]
        raise ReferenceError_(f"unknown dynamic value reference {{{{{name}}}}}")

    def _job(self, rest: list[str], name: str) -> Any:
        if rest == ["id"]:
            return self.job_id
        if rest == ["name"]:
            return self.job_name
        if rest == ["run_id"]:
            return self.run_id
        if rest == ["repair_count"]:
            return 0
        if rest == ["trigger", "type"]:
            return self.trigger
        if len(rest) >= 2 and rest[0] == "parameters":
            key = ".".join(rest[1:])
            if key in self.parameters:
                return self.parameters[key]
            raise ReferenceError_(f"{{{{{name}}}}}: the job has no parameter {key!r}")
        if rest and rest[0] == "start_time":
            return _time_part(_start(self.start_time_ms), rest[1:], name)
        raise ReferenceError_(f"unknown dynamic value reference {{{{{name}}}}}")

    def _task(self, rest: list[str], name: str) -> Any:
        values = {
            "name": self.task_key,
            "run_id": self.task_run_id,
            "notebook_path": self.notebook_path,
            "execution_count": self.execution_count,
        }
        if len(rest) == 1 and rest[0] in values:
            return values[rest[0]]
        raise ReferenceError_(f"unknown dynamic value reference {{{{{name}}}}}")

    def _tasks(self, key: str, rest: list[str], name: str) -> Any:
        upstream = self.tasks.get(key)
        if upstream is None:
            raise ReferenceError_(f"{{{{{name}}}}}: task {key!r} is not an upstream task that has finished")
        if rest[0] == "values" and len(rest) >= 2:
            value_name = rest[1]
            if value_name not in upstream.values:
                raise ReferenceError_(f"{{{{{name}}}}}: task {key!r} set no value {value_name!r}")
            return _dig(upstream.values[value_name], rest[2:], name)
        fields = {
            "run_id": upstream.run_id,
            "result_state": (upstream.result_state or "").lower(),
            "error_code": upstream.error_code,
            "error_message": upstream.error_message,
            "execution_count": upstream.execution_count,
            "notebook_path": upstream.notebook_path,
        }
        if len(rest) == 1 and rest[0] in fields:
            return fields[rest[0]]
        raise ReferenceError_(f"unknown dynamic value reference {{{{{name}}}}}")


def resolve(value: Any, ctx: RefContext) -> Any:
    """`value` with every `{{…}}` in its strings replaced; containers are copied, not changed."""
    if isinstance(value, str):
        return resolve_text(value, ctx)
    if isinstance(value, list):
        return [resolve(v, ctx) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, ctx) for k, v in value.items()}
    return value


def resolve_text(text: str, ctx: RefContext) -> str:
    if "{{" not in text:
        return text
    return _REF.sub(lambda m: m.group(0) if _is_secret(m.group(1)) else render(ctx.lookup(m.group(1))), text)


def _is_secret(name: str) -> bool:
    """`secrets/<scope>/<key>` is filled by the worker, which reads the value and redacts it."""
    return name.startswith("secrets/") and name.count("/") == 2


def render(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def _dig(value: Any, path: list[str], name: str) -> Any:
    for part in path:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise ReferenceError_(f"{{{{{name}}}}}: no field {part!r}")
    return value


def _start(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _time_part(when: datetime, rest: list[str], name: str) -> Any:
    part = rest[0] if rest else "timestamp_ms"
    parts: dict[str, Any] = {
        "iso_date": when.strftime("%Y-%m-%d"),
        "iso_datetime": when.strftime("%Y-%m-%dT%H:%M:%S"),
        "timestamp_ms": int(when.timestamp() * 1000),
        "year": when.year,
        "month": when.month,
        "day": when.day,
        "hour": when.hour,
        "minute": when.minute,
        "second": when.second,
        "iso_weekday": when.isoweekday(),
        "is_weekday": when.isoweekday() <= 5,
    }
    if len(rest) > 1 or part not in parts:
        raise ReferenceError_(f"unknown dynamic value reference {{{{{name}}}}}")
    return parts[part]
