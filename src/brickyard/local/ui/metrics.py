"""The metrics page: each job's run durations over time and success rate, each pipeline dataset's
rows written per update."""

from __future__ import annotations

import statistics
from typing import Any

from brickyard.local.server.services import Services
from brickyard.local.ui.jobs import all_jobs, bar, recent_runs, run_summary
from brickyard.local.ui.pipelines import all_pipelines, datasets_of
from brickyard.local.ui.render import GOOD, count

RUNS = 30
UPDATES = 10


def metrics_page(ws: Services) -> dict[str, Any]:
    return {
        "jobs": [_job(ws, r.job_id, r.settings.get("name") or "") for r in all_jobs(ws)],
        "datasets": _datasets_rows(ws),
    }


def _job(ws: Services, job_id: int, name: str) -> dict[str, Any]:
    runs = [run_summary(row) for row in reversed(recent_runs(ws, job_id, RUNS))]
    done = [r for r in runs if not r["active"]]
    durations = [r["duration"] for r in done if r["duration"] is not None]
    longest = max(durations, default=0) or 1
    return {
        "id": job_id,
        "name": name or f"Job {job_id}",
        "runs": len(done),
        "success_rate": (sum(r["state"] in GOOD for r in done) / len(done)) if done else None,
        "median": statistics.median(durations) if durations else None,
        "chart": [bar(r, longest, 48) for r in done if r["duration"] is not None],
    }


def _datasets_rows(ws: Services) -> list[dict[str, Any]]:
    """Per pipeline dataset: rows written by each of the pipeline's last updates, oldest first."""
    found: list[dict[str, Any]] = []
    for record in all_pipelines(ws):
        per_dataset: dict[str, list[int | None]] = {}
        updates = list(reversed(ws.pipelines.updates(record.pipeline_id)[:UPDATES]))
        for index, update in enumerate(updates):
            events = ws.pipeline_events.of_update(record.pipeline_id, update["update_id"])
            for name, dataset in datasets_of(events).items():
                series = per_dataset.setdefault(name, [None] * len(updates))
                series[index] = dataset["rows"]
        for name, series in per_dataset.items():
            if all(v is None for v in series):
                continue  # read, never written by this pipeline
            top = max((v or 0 for v in series), default=0) or 1
            found.append(
                {
                    "pipeline": record.name,
                    "pipeline_id": record.pipeline_id,
                    "dataset": name,
                    "latest": next((v for v in reversed(series) if v is not None), None),
                    "chart": [
                        {
                            "height": max(2, round(48 * (v or 0) / top)),
                            "tone": "good" if v is not None else "idle",
                            "title": f"{count(v)} rows",
                        }
                        for v in series
                    ],
                }
            )
    return found
