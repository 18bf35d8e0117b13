"""`GET /metrics`: run counts, durations and requests, in a text Prometheus's own parser reads."""

from __future__ import annotations

import io
import time
import urllib.request
from typing import Any

import pytest
from databricks.sdk.errors import NotFound
from databricks.sdk.service import jobs
from databricks.sdk.service.workspace import ImportFormat
from prometheus_client.parser import text_string_to_metric_families


def _scrape(local_ws: Any) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{local_ws.host}/metrics", headers={"Authorization": f"Bearer {local_ws.token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    return {f.name: f for f in text_string_to_metric_families(text)}


def _samples(family: Any, name: str, **labels: str) -> list[Any]:
    return [
        s for s in family.samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    ]


def test_metrics_count_runs_by_result_time_them_and_count_requests(
    w: Any, local_ws: Any, scratch: str
) -> None:
    for name, text in (("ok.py", "print('ok')\n"), ("bad.py", "raise ValueError('no')\n")):
        w.workspace.upload(
            f"{scratch}/{name}", io.BytesIO(text.encode()), format=ImportFormat.AUTO, overwrite=True
        )
    job_ids = []
    for name in ("ok.py", "bad.py"):
        task = jobs.Task(
            task_key="t", spark_python_task=jobs.SparkPythonTask(python_file=f"/Workspace{scratch}/{name}")
        )
        job = w.jobs.create(name=f"metrics-{name}", tasks=[task])
        job_ids.append(str(job.job_id))
        run_id = w.jobs.run_now(job.job_id).run_id
        deadline = time.monotonic() + 90
        while w.jobs.get_run(run_id).state.result_state is None:
            assert time.monotonic() < deadline
            time.sleep(0.05)

    families = _scrape(local_ws)
    runs = families["brickyard_job_runs"]
    assert _samples(runs, "brickyard_job_runs_total", job_id=job_ids[0], result_state="SUCCESS")[0].value == 1
    assert _samples(runs, "brickyard_job_runs_total", job_id=job_ids[1], result_state="FAILED")[0].value == 1
    durations = families["brickyard_task_run_duration_seconds"]
    count = _samples(durations, "brickyard_task_run_duration_seconds_count", job_id=job_ids[0], task_key="t")
    assert count[0].value == 1
    inf = _samples(durations, "brickyard_task_run_duration_seconds_bucket", job_id=job_ids[0], le="+Inf")
    assert inf[0].value == 1
    assert _samples(
        families["brickyard_job_run_duration_seconds"],
        "brickyard_job_run_duration_seconds_sum",
        job_id=job_ids[1],
    )
    requests = families["brickyard_http_requests"]
    created = [
        s
        for s in _samples(requests, "brickyard_http_requests_total", method="POST", status="200")
        if s.labels["route"].endswith("/jobs/create")  # the route's template, under its API version
    ]
    assert created and sum(s.value for s in created) >= 2

    def failed_gets(families: dict[str, Any]) -> float:
        samples = _samples(families["brickyard_http_requests"], "brickyard_http_requests_total", method="GET")
        return sum(
            s.value
            for s in samples
            if s.labels["route"].endswith("/runs/get") and s.labels["status"] != "200"
        )

    before = failed_gets(families)
    with pytest.raises(NotFound):
        w.jobs.get_run(1)
    assert failed_gets(_scrape(local_ws)) == before + 1
