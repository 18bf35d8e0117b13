"""The notebook context notebooks reach through `dbutils.notebook.entry_point`.

On Databricks, `dbutils.notebook.entry_point.getDbutils().notebook().getContext()` is a Py4J handle
on the driver's context; notebooks use it for the workspace URL and an API token (to call the REST
API with `requests`), their own path, and the run's ids. Its getters answer Scala `Option`s, read
with `.get()`, `.isDefined()` or `.getOrElse(default)`, and `toJson()` gives all of it at once.
Here the same chain answers from the task's request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Option:
    """A Scala `Option` as Py4J hands it to Python."""

    def __init__(self, value: Any = None) -> None:
        self._value = value

    def get(self) -> Any:
        if self._value is None:
            raise ValueError("None.get")  # what Scala's NoSuchElementException says
        return self._value

    def isDefined(self) -> bool:
        return self._value is not None

    def isEmpty(self) -> bool:
        return self._value is None

    def getOrElse(self, default: Any) -> Any:
        return default if self._value is None else self._value


class Tags:
    """The context's tags, a Scala `Map[String, String]`."""

    def __init__(self, tags: Mapping[str, str]) -> None:
        self._tags = dict(tags)

    def get(self, key: str) -> Option:
        return Option(self._tags.get(key))

    def apply(self, key: str) -> str:
        if key not in self._tags:
            raise KeyError(f"key not found: {key}")
        return self._tags[key]

    def contains(self, key: str) -> bool:
        return key in self._tags


@dataclass(frozen=True)
class NotebookContext:
    api_url: str = ""
    api_token: str = ""
    notebook_path: str = ""
    run_id: int | None = None
    job_id: int | None = None
    tag_values: Mapping[str, str] = field(default_factory=dict)

    def apiUrl(self) -> Option:
        return Option(self.api_url or None)

    def browserHostName(self) -> Option:
        return Option(self.api_url.split("://", 1)[-1].split("/", 1)[0] or None)

    def apiToken(self) -> Option:
        return Option(self.api_token or None)

    def notebookPath(self) -> Option:
        return Option(self.notebook_path or None)

    def currentRunId(self) -> Option:
        return Option(self.run_id)

    def jobId(self) -> Option:
        return Option(self.job_id)

    def tags(self) -> Tags:
        return Tags(self.tag_values)

    def toJson(self) -> str:
        return json.dumps(
            {
                "extraContext": {
                    "api_url": self.api_url,
                    "api_token": self.api_token,
                    "notebook_path": self.notebook_path,
                },
                "tags": dict(self.tag_values),
                "currentRunId": {"id": self.run_id} if self.run_id is not None else None,
            }
        )


class EntryPoint:
    """`dbutils.notebook.entry_point`: `.getDbutils().notebook().getContext()`."""

    def __init__(self, context: NotebookContext) -> None:
        self._context = context

    def getDbutils(self) -> EntryPoint:
        return self

    def notebook(self) -> EntryPoint:
        return self

    def getContext(self) -> NotebookContext:
        return self._context
