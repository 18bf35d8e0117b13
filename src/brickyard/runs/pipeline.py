"""Running a deployed pipeline: start an update, follow it, report each dataset and its expectations.

The per-dataset rows and data-quality counts come from the pipeline's event log (`flow_progress`
events), the same place Databricks shows them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brickyard.output import Output

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

DONE = frozenset({"COMPLETED", "FAILED", "CANCELED"})


@dataclass
class Expectation:
    name: str
    dataset: str
    passed: int
    failed: int


@dataclass
class FlowOutcome:
    dataset: str
    status: str
    rows: int | None = None
    dropped: int = 0
    expectations: list[Expectation] = field(default_factory=list)
    error: str = ""


@dataclass
class UpdateOutcome:
    pipeline_id: str
    update_id: str
    state: str
    url: str
    seconds: float
    flows: list[FlowOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    start_ms: int = 0
    """When the update was created (epoch ms); 0 when not known."""

    @property
    def succeeded(self) -> bool:
        return self.state == "COMPLETED"

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> UpdateOutcome:
        return cls(
            pipeline_id=str(doc["pipeline_id"]),
            update_id=str(doc["update_id"]),
            state=str(doc.get("state", "")),
            url=str(doc.get("url", "")),
            seconds=float(doc.get("seconds") or 0),
            flows=[
                FlowOutcome(
                    dataset=str(d["name"]),
                    status=str(d.get("status", "")),
                    rows=d.get("rows"),
                    dropped=int(d.get("dropped_records") or 0),
                    expectations=[
                        Expectation(
                            str(e["name"]), str(d["name"]), int(e["passed_records"]), int(e["failed_records"])
                        )
                        for e in d.get("expectations") or []
                    ],
                    error=str(d.get("error", "")),
                )
                for d in doc.get("datasets") or []
            ],
            errors=[str(e) for e in doc.get("errors") or []],
            start_ms=int(doc.get("start_time") or 0),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "pipeline_id": self.pipeline_id,
            "update_id": self.update_id,
            "state": self.state,
            "url": self.url,
            "seconds": round(self.seconds, 1),
            "datasets": [
                {
                    "name": f.dataset,
                    "status": f.status,
                    "rows": f.rows,
                    "dropped_records": f.dropped,
                    "expectations": [
                        {"name": e.name, "passed_records": e.passed, "failed_records": e.failed}
                        for e in f.expectations
                    ],
                    "error": f.error,
                }
                for f in self.flows
            ],
            "errors": self.errors,
            "start_time": self.start_ms,
        }


def start_update(
    client: WorkspaceClient,
    pipeline_id: str,
    full_refresh: bool = False,
    refresh: list[str] | None = None,
    validate_only: bool = False,
) -> str:
    body: dict[str, Any] = {"full_refresh": full_refresh}
    if refresh:
        body["refresh_selection"] = refresh
    if validate_only:
        body["validate_only"] = True
    return str(
        client.api_client.do("POST", f"/api/2.0/pipelines/{pipeline_id}/updates", body=body)["update_id"]
    )


def watch_update(
    client: WorkspaceClient,
    pipeline_id: str,
    update_id: str,
    output: Output,
    base_url: str,
    poll: float = 0.5,
) -> UpdateOutcome:
    started = time.monotonic()
    last = ""
    with output.live() as view:
        while True:
            update = client.api_client.do("GET", f"/api/2.0/pipelines/{pipeline_id}/updates/{update_id}").get(
                "update", {}
            )
            state = str(update.get("state", "QUEUED"))
            view.update(
                f"pipeline update {update_id}: {state} ({time.monotonic() - started:.0f}s)",
                [f"  {state}"] if state != last else [],
            )
            last = state
            if state in DONE:
                break
            time.sleep(poll)
    outcome = UpdateOutcome(
        pipeline_id=pipeline_id,
        update_id=update_id,
        state=last,
        url=f"{base_url}/#joblist/pipelines/{pipeline_id}/updates/{update_id}",
        seconds=time.monotonic() - started,
    )
    read_events(client, outcome)
    return outcome


def read_events(client: WorkspaceClient, outcome: UpdateOutcome) -> None:
    """Fill the outcome's datasets from the update's flow_progress events (the last word wins)."""
    flows: dict[str, FlowOutcome] = {}
    query: dict[str, Any] = {"filter": f"update_id = '{outcome.update_id}'", "max_results": 250}
    events: list[dict[str, Any]] = []
    while True:
        page = client.api_client.do("GET", f"/api/2.0/pipelines/{outcome.pipeline_id}/events", query=query)
        events.extend(page.get("events", []))
        token = page.get("next_page_token")
        if not token:
            break
        query = {"page_token": token}
    for event in sorted(events, key=lambda e: (e.get("timestamp", ""), _seq(e))):
        details = event.get("details") or {}
        origin = event.get("origin") or {}
        if "flow_progress" in details:
            progress = details["flow_progress"]
            name = str(origin.get("dataset_name") or origin.get("flow_name") or "?")
            flow = flows.setdefault(name, FlowOutcome(name, ""))
            flow.status = str(progress.get("status", flow.status))
            rows = (progress.get("metrics") or {}).get("num_output_rows")
            if rows is not None:
                flow.rows = int(rows)
            quality = progress.get("data_quality") or {}
            if quality:
                flow.dropped = int(quality.get("dropped_records") or 0)
                flow.expectations = [
                    Expectation(
                        str(e.get("name")),
                        str(e.get("dataset", name)),
                        int(e.get("passed_records") or 0),
                        int(e.get("failed_records") or 0),
                    )
                    for e in quality.get("expectations") or []
                ]
        if event.get("level") == "ERROR":
            message = str(event.get("message") or "")
            errors = [e.get("message", "") for e in (event.get("error") or {}).get("exceptions", [])]
            outcome.errors.append("; ".join([message, *[e for e in errors if e]]))
            dataset = origin.get("dataset_name")
            if dataset and dataset in flows:
                flows[dataset].error = message
    outcome.flows = list(flows.values())


def _seq(event: dict[str, Any]) -> int:
    sequence = event.get("sequence") or {}
    control = sequence.get("control_plane_seq_no") if isinstance(sequence, dict) else None
    try:
        return int(control or 0)
    except (TypeError, ValueError):
        return 0
