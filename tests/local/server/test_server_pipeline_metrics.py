"""Pipeline figures in /metrics, from a pipeline event log filled as an update fills it."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from brickyard.local.server.pipeline_metrics import PipelineCollector
from brickyard.local.store.db import Database
from brickyard.local.store.pipeline_events import EventStore
from brickyard.local.store.pipelines import PipelineStore


def _progress(update: str, dataset: str, status: str, **details: object) -> dict[str, object]:
    return {
        "id": f"{update}-{dataset}-{status}",
        "timestamp": "2026-12-02T00:00:00Z",
        "event_type": "flow_progress",
        "origin": {"update_id": update, "dataset_name": dataset, "flow_name": dataset},
        "details": {"flow_progress": {"status": status, **details}},
    }


def test_updates_rows_and_expectations_sum_over_updates(tmp_path: Path) -> None:
    db = Database(tmp_path / "metadata.db")
    for number, state in ((1, "COMPLETED"), (2, "FAILED")):
        PipelineStore(db).add_update(
            {"update_id": f"u{number}", "pipeline_id": "p", "creation_time": number, "state": state}
        )
    quality = {"expectations": [{"name": "positive", "passed_records": 8, "failed_records": 2}]}
    EventStore(db).append(
        "p",
        [
            _progress("u1", "orders", "RUNNING"),
            _progress("u1", "orders", "COMPLETED", metrics={"num_output_rows": 10}, data_quality=quality),
            _progress("u2", "orders", "COMPLETED", metrics={"num_output_rows": 5}, data_quality=quality),
        ],
    )
    registry = CollectorRegistry()
    registry.register(PipelineCollector(db))  # type: ignore[arg-type]
    families = {f.name: f for f in text_string_to_metric_families(generate_latest(registry).decode())}
    values = {
        (s.name, tuple(sorted(s.labels.items()))): s.value for f in families.values() for s in f.samples
    }
    assert values[("brickyard_pipeline_updates_total", (("pipeline_id", "p"), ("state", "FAILED")))] == 1
    assert (
        values[("brickyard_pipeline_output_rows_total", (("dataset", "orders"), ("pipeline_id", "p")))] == 15
    )
    failed = (("dataset", "orders"), ("expectation", "positive"), ("outcome", "failed"), ("pipeline_id", "p"))
    assert values[("brickyard_pipeline_expectation_records_total", failed)] == 4
    db.close()
