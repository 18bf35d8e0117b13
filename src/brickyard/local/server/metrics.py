"""`GET /metrics`: the local workspace in the Prometheus text format.

Run figures are read from the run store at each scrape (so they cover every run the workspace
kept, across restarts): job runs by job and result, active runs, and job-run and task-run
durations as histograms; pipeline updates, rows and expectations come from
`server.pipeline_metrics`. Requests are counted as they are served, by route template, method and
status, for the life of the server.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import FastAPI, Request, Response

from brickyard.local.server.pipeline_metrics import PipelineCollector
from brickyard.local.server.services import Services
from brickyard.local.store.runs import JOB, TASK

BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


class RunCollector:
    """Run counts and durations, from the `runs` table at scrape time."""

    def __init__(self, services: Services) -> None:
        self.db = services.runs.db

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

        rows = self.db.query(
            "SELECT kind, job_id, task_key, life_cycle_state, "
            "json_extract(doc, '$.run_name') AS name, "
            "json_extract(doc, '$.state.result_state') AS result, "
            "json_extract(doc, '$.run_duration') AS duration "
            "FROM runs WHERE kind IN (?, ?)",
            (JOB, TASK),
        )
        runs = CounterMetricFamily(
            "brickyard_job_runs",
            "Job runs that ended, by job and result state.",
            labels=["job_id", "job_name", "result_state"],
        )
        active = GaugeMetricFamily(
            "brickyard_job_runs_active", "Job runs queued or running.", labels=["job_id"]
        )
        counts: dict[tuple[str, str, str], int] = {}
        running: dict[str, int] = {}
        run_times: dict[tuple[str, ...], list[float]] = {}
        task_times: dict[tuple[str, ...], list[float]] = {}
        for row in rows:
            job = str(row["job_id"])
            if row["result"] is None:
                if row["kind"] == JOB:
                    running[job] = running.get(job, 0) + 1
                continue
            seconds = float(row["duration"] or 0) / 1000
            if row["kind"] == JOB:
                key = (job, str(row["name"] or ""), str(row["result"]))
                counts[key] = counts.get(key, 0) + 1
                run_times.setdefault((job,), []).append(seconds)
            else:
                task_times.setdefault((job, str(row["task_key"] or "")), []).append(seconds)
        for labels, count in sorted(counts.items()):
            runs.add_metric(list(labels), count)
        for job, count in sorted(running.items()):
            active.add_metric([job], count)
        yield runs
        yield active
        yield _histogram(
            HistogramMetricFamily,
            "brickyard_job_run_duration_seconds",
            "Job run durations.",
            ["job_id"],
            run_times,
        )
        yield _histogram(
            HistogramMetricFamily,
            "brickyard_task_run_duration_seconds",
            "Task run durations (every attempt).",
            ["job_id", "task_key"],
            task_times,
        )


def _histogram(
    family: Any, name: str, help_text: str, labels: list[str], samples: dict[tuple[str, ...], list[float]]
) -> Any:
    metric = family(name, help_text, labels=labels)
    for key, values in sorted(samples.items()):
        buckets = [(str(b), sum(1 for v in values if v <= b)) for b in BUCKETS]
        buckets.append(("+Inf", len(values)))
        metric.add_metric(list(key), buckets, sum(values))
    return metric


def install(app: FastAPI, services: Services) -> None:
    """Mount `/metrics` on `app` and count its requests."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest

    registry = CollectorRegistry()
    registry.register(RunCollector(services))
    registry.register(PipelineCollector(services.runs.db))
    requests = Counter(
        "brickyard_http_requests",
        "Requests served, by route template, method and status.",
        ["route", "method", "status"],
        registry=registry,
    )

    @app.middleware("http")
    async def count(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        requests.labels(template, request.method, str(response.status_code)).inc()
        return response

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
