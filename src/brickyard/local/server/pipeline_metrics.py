"""Pipeline figures for `/metrics` (`server.metrics`): updates by state, the rows each dataset
wrote, and each expectation's passed and failed records, read from the event log at scrape time.

A flow's numbers are those of its `flow_progress` events that carry them (the one that ends the
flow), summed over updates.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from brickyard.local.store.db import Database


class PipelineCollector:
    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily

        updates = CounterMetricFamily(
            "brickyard_pipeline_updates",
            "Pipeline updates, by pipeline and state.",
            labels=["pipeline_id", "state"],
        )
        for row in self.db.query(
            "SELECT pipeline_id, state, count(*) AS n FROM pipeline_updates GROUP BY pipeline_id, state "
            "ORDER BY pipeline_id, state"
        ):
            updates.add_metric([str(row["pipeline_id"]), str(row["state"])], int(row["n"]))
        rows = CounterMetricFamily(
            "brickyard_pipeline_output_rows",
            "Rows written by each dataset's flows.",
            labels=["pipeline_id", "dataset"],
        )
        records = CounterMetricFamily(
            "brickyard_pipeline_expectation_records",
            "Records each expectation passed or failed.",
            labels=["pipeline_id", "dataset", "expectation", "outcome"],
        )
        written: dict[tuple[str, str], float] = {}
        checked: dict[tuple[str, str, str, str], float] = {}
        for row in self.db.query(
            "SELECT pipeline_id, doc FROM pipeline_events WHERE event_type = 'flow_progress' ORDER BY seq"
        ):
            event = json.loads(row["doc"])
            origin = event.get("origin") or {}
            dataset = str(origin.get("dataset_name") or origin.get("flow_name") or "")
            progress = (event.get("details") or {}).get("flow_progress") or {}
            pipeline = str(row["pipeline_id"])
            count = (progress.get("metrics") or {}).get("num_output_rows")
            if count is not None:
                written[(pipeline, dataset)] = written.get((pipeline, dataset), 0) + float(count)
            for expectation in (progress.get("data_quality") or {}).get("expectations") or []:
                name = str(expectation.get("name", ""))
                for outcome in ("passed", "failed"):
                    key = (pipeline, dataset, name, outcome)
                    checked[key] = checked.get(key, 0) + float(expectation.get(f"{outcome}_records") or 0)
        for place, value in sorted(written.items()):
            rows.add_metric(list(place), value)
        for check, value in sorted(checked.items()):
            records.add_metric(list(check), value)
        yield updates
        yield rows
        yield records
