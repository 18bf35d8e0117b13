"""The pipeline event log: events shaped like Databricks' (`pipelines/events`, the event log table).

Each event is a JSON-ready dict with `id`, `sequence`, `origin`, `timestamp`, `level`,
`maturity_level`, `message`, `event_type`, `details` and, for failures, `error`, so that
`databricks.sdk.service.pipelines.PipelineEvent.from_dict` reads it and event-log queries written for
Databricks (`details:flow_progress.data_quality.expectations`) find what they expect. Sinks decide
where events go: a list for tests and library callers, a JSON-lines file for the worker process.
"""

from __future__ import annotations

import json
import os
import traceback
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

Level = Literal["INFO", "WARN", "ERROR", "METRICS"]
Event = dict[str, Any]


class EventSink(Protocol):
    """Receives every event of an update, in order."""

    def emit(self, event: Event) -> None: ...


class ListSink:
    """Keeps events in memory (tests, in-process callers)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def of_type(self, event_type: str) -> list[Event]:
        return [e for e in self.events if e["event_type"] == event_type]


class JsonLinesSink:
    """Appends one JSON document per line and flushes each, so a reader can tail the file live."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def emit(self, event: Event) -> None:
        line = json.dumps(event, default=str) + "\n"
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())


def read_events(path: Path) -> list[Event]:
    """Events written by a `JsonLinesSink`; a torn last line (writer killed mid-write) is ignored."""
    events: list[Event] = []
    if not path.exists():
        return events
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events


def update_state(events: list[Event], update_id: str) -> str | None:
    """The latest `update_progress` state of one update (for `pipelines/get-update`), if any."""
    state = None
    for event in events:
        if event["event_type"] == "update_progress" and event["origin"].get("update_id") == update_id:
            state = event["details"]["update_progress"]["state"]
    return state


class EventLog:
    """Builds the events of one update and hands them to a sink; owns the sequence numbers."""

    def __init__(self, sink: EventSink, pipeline_id: str, pipeline_name: str, update_id: str) -> None:
        self._sink = sink
        self._seq = 0
        self.pipeline_id = pipeline_id
        self.pipeline_name = pipeline_name
        self.update_id = update_id

    def emit(
        self,
        event_type: str,
        message: str,
        details: Mapping[str, Any],
        *,
        level: Level = "INFO",
        flow: str | None = None,
        dataset: str | None = None,
        error: BaseException | None = None,
        maturity: str = "STABLE",
    ) -> Event:
        self._seq += 1
        origin: dict[str, Any] = {
            "cloud": "local",
            "region": "local",
            "pipeline_id": self.pipeline_id,
            "pipeline_name": self.pipeline_name,
            "update_id": self.update_id,
        }
        if flow is not None:
            origin["flow_id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.pipeline_id}/{flow}"))
            origin["flow_name"] = flow
        if dataset is not None:
            origin["dataset_name"] = dataset
        event: Event = {
            "id": str(uuid.uuid4()),
            "sequence": {
                "data_plane_id": {"instance": self.update_id, "seq_no": self._seq},
                "control_plane_seq_no": self._seq,
            },
            "origin": origin,
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "message": message,
            "level": level,
            "maturity_level": maturity,
            "event_type": event_type,
            "details": {event_type: dict(details)},
        }
        if error is not None:
            event["error"] = error_detail(error)
        self._sink.emit(event)
        return event

    def update_progress(self, state: str, error: BaseException | None = None) -> None:
        level: Level = "ERROR" if state == "FAILED" else "INFO"
        self.emit(
            "update_progress",
            f"Update {self.update_id[:6]} is {state}.",
            {"state": state},
            level=level,
            error=error,
        )

    def flow_progress(
        self,
        flow: str,
        dataset: str,
        status: str,
        *,
        metrics: Mapping[str, int] | None = None,
        data_quality: Mapping[str, Any] | None = None,
        error: BaseException | None = None,
    ) -> None:
        details: dict[str, Any] = {"status": status}
        if metrics is not None:
            details["metrics"] = dict(metrics)
        if data_quality is not None:
            details["data_quality"] = dict(data_quality)
        verb = "has" if status in ("COMPLETED", "FAILED", "SKIPPED", "EXCLUDED", "STOPPED") else "is"
        level: Level = "ERROR" if status == "FAILED" else "INFO"
        self.emit(
            "flow_progress",
            f"Flow '{flow}' {verb} {status}.",
            details,
            level=level,
            flow=flow,
            dataset=dataset,
            error=error,
        )


def error_detail(error: BaseException) -> dict[str, Any]:
    """The event log's `error` object: the exception chain, outermost first, with its stack."""
    exceptions: list[dict[str, Any]] = []
    current: BaseException | None = error
    while current is not None and len(exceptions) < 5:
        frames = [
            {
                "declaring_class": "",
                "file_name": frame.filename,
                "line_number": frame.lineno or 0,
                "method_name": frame.name,
            }
            for frame in traceback.extract_tb(current.__traceback__)[-20:]
        ]
        exceptions.append({"class_name": type(current).__name__, "message": str(current), "stack": frames})
        current = current.__cause__
    return {"exceptions": exceptions, "fatal": True}
