"""`dbutils.jobs.taskValues`: small JSON values a task hands to the tasks that depend on it.

Values set here travel in the `TaskResult`; values from upstream tasks arrive in the request. As on
Databricks, a value must be JSON-serialisable and at most 48 KiB once serialised, and `get` of a
missing value fails unless a default is given.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

MAX_VALUE_BYTES = 48 * 1024
_MISSING = object()


class TaskValues:
    def __init__(
        self, task_key: str, upstream: Mapping[str, Mapping[str, Any]], produced: dict[str, Any]
    ) -> None:
        self._task_key = task_key
        self._upstream = upstream
        self._produced = produced

    def set(self, key: str, value: Any) -> None:
        try:
            encoded = json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"task value {key!r} is not JSON serialisable: {exc}") from exc
        if len(encoded.encode("utf-8")) > MAX_VALUE_BYTES:
            raise ValueError(f"task value {key!r} is larger than 48 KiB once serialised as JSON")
        self._produced[key] = json.loads(encoded)

    def get(self, taskKey: str, key: str, default: Any = _MISSING, debugValue: Any = _MISSING) -> Any:
        """`debugValue` is for interactive runs outside a job; a job run (the only kind here) ignores it."""
        values = self._produced if taskKey == self._task_key else self._upstream.get(taskKey, {})
        if key in values:
            return values[key]
        if default is not _MISSING:
            return default
        if taskKey != self._task_key and taskKey not in self._upstream:
            raise ValueError(
                f"No task value found for task {taskKey}: it is not an upstream task of this run"
            )
        raise ValueError(f"No task value found for key {key} in task {taskKey}")

    def help(self, method: str = "") -> None:
        print("dbutils.jobs.taskValues: set, get")


class Jobs:
    def __init__(self, task_values: TaskValues) -> None:
        self.taskValues = task_values

    def help(self, method: str = "") -> None:
        print("dbutils.jobs: taskValues")
