"""Pipelines: the list, and one pipeline's updates with the dataset graph of an update (rows each
dataset wrote, each expectation's passed and failed records) and its event log."""

from __future__ import annotations

from typing import Any

from brickyard.local.server.services import Services
from brickyard.local.store.pipelines import ACTIVE_UPDATE_STATES, PipelineRecord
from brickyard.local.ui import graph
from brickyard.local.ui.render import count, tone


def all_pipelines(ws: Services) -> list[PipelineRecord]:
    records, _more = ws.pipelines.page(None, None, False, 0, 10_000)
    return records


def pipelines_page(ws: Services) -> dict[str, Any]:
    pipelines = []
    for record in all_pipelines(ws):
        updates = ws.pipelines.updates(record.pipeline_id)
        pipelines.append(
            {
                "id": record.pipeline_id,
                "name": record.name,
                "target": _target(record.spec),
                "last": _update(updates[0]) if updates else None,
            }
        )
    return {"pipelines": pipelines}


def pipeline_page(ws: Services, pipeline_id: str, update_id: str | None) -> dict[str, Any]:
    record = ws.pipelines.get(pipeline_id)
    updates = ws.pipelines.updates(pipeline_id)
    chosen = (
        ws.pipelines.get_update(pipeline_id, update_id) if update_id else (updates[0] if updates else None)
    )
    events = ws.pipeline_events.of_update(pipeline_id, chosen["update_id"]) if chosen else []
    datasets = datasets_of(events)
    items = [
        graph.Item(
            key=name,
            after=d["inputs"],
            title=name,
            lines=(f"{count(d['rows'])} rows" if d["rows"] is not None else "", _checks(d)),
            tone="bad" if d["failed"] else ("good" if d["rows"] is not None else "idle"),
        )
        for name, d in datasets.items()
    ]
    return {
        "pipeline": {
            "id": record.pipeline_id,
            "name": record.name,
            "target": _target(record.spec),
            "continuous": bool(record.spec.get("continuous")),
            "libraries": [_library(lib) for lib in record.spec.get("libraries") or []],
        },
        "updates": [_update(u) for u in updates],
        "update": _update(chosen) if chosen else None,
        "active": bool(chosen and chosen.get("state") in ACTIVE_UPDATE_STATES),
        "datasets": datasets,
        "layout": graph.layout(items),
        "events": [_event(e) for e in events],
    }


def datasets_of(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every dataset of an update: what it reads, rows written, expectations (from its flows)."""
    found: dict[str, dict[str, Any]] = {}

    def dataset(name: str) -> dict[str, Any]:
        return found.setdefault(name, {"inputs": [], "rows": None, "expectations": {}, "failed": False})

    for event in events:
        details = event.get("details") or {}
        origin = event.get("origin") or {}
        if definition := details.get("flow_definition"):
            target = dataset(str(definition.get("output_dataset") or origin.get("dataset_name") or ""))
            for source in definition.get("input_datasets") or []:
                if str(source) not in target["inputs"]:
                    target["inputs"].append(str(source))
        elif progress := details.get("flow_progress"):
            target = dataset(str(origin.get("dataset_name") or origin.get("flow_name") or ""))
            rows = (progress.get("metrics") or {}).get("num_output_rows")
            if rows is not None:
                target["rows"] = (target["rows"] or 0) + int(rows)
            for check in (progress.get("data_quality") or {}).get("expectations") or []:
                tally = target["expectations"].setdefault(str(check.get("name")), {"passed": 0, "failed": 0})
                tally["passed"] += int(check.get("passed_records") or 0)
                tally["failed"] += int(check.get("failed_records") or 0)
            if progress.get("status") == "FAILED":
                target["failed"] = True
    for name in [s for d in list(found.values()) for s in d["inputs"]]:
        dataset(name)  # sources read but not defined here (tables outside the pipeline)
    return found


def _checks(dataset: dict[str, Any]) -> str:
    tallies = dataset["expectations"].values()
    if not tallies:
        return ""
    passed = sum(t["passed"] for t in tallies)
    failed = sum(t["failed"] for t in tallies)
    return f"checks {count(passed)} passed, {count(failed)} failed"


def _update(doc: dict[str, Any]) -> dict[str, Any]:
    state = str(doc.get("state") or "")
    return {
        "id": doc.get("update_id"),
        "state": state,
        "tone": tone(state),
        "created": doc.get("creation_time"),
        "cause": doc.get("cause") or "",
        "full_refresh": bool(doc.get("full_refresh")),
    }


def _event(event: dict[str, Any]) -> dict[str, Any]:
    error = event.get("error") or {}
    exceptions = error.get("exceptions") or []
    return {
        "timestamp": event.get("timestamp", ""),
        "level": event.get("level", ""),
        "type": event.get("event_type", ""),
        "message": event.get("message", ""),
        "error": "\n".join(str(e.get("message", "")) for e in exceptions if isinstance(e, dict)),
    }


def _target(spec: dict[str, Any]) -> str:
    schema = spec.get("schema") or spec.get("target") or ""
    return f"{spec['catalog']}.{schema}" if spec.get("catalog") else str(schema)


def _library(library: dict[str, Any]) -> str:
    for kind, value in library.items():
        if isinstance(value, dict):
            return f"{kind}: {value.get('path') or value.get('include') or value}"
        return f"{kind}: {value}"
    return ""
