"""How fast the local workspace's web UI answers, with 1,000 job runs in its history, and what a
`/metrics` scrape of that history costs.

Run: .venv/bin/python benchmarks/ui.py

A local workspace is started in a temporary project; 20 jobs of 3 tasks and 1,000 finished runs
(each with its 3 task runs, a fifth of them failed) are written into its store the way the
orchestrator writes them; then each page is fetched over HTTP 20 times (median and max, in ms):
the home page, the jobs list, one job's page, one run's page, the metrics page, and `/metrics`.
Target: every page under 200 ms.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

JOBS, RUNS, TASKS, REPEAT = 20, 1000, 3, 20


def seed(home: Path) -> tuple[int, int]:
    from brickyard.local.home import LocalHome
    from brickyard.local.store.db import Database
    from brickyard.local.store.jobs import JobStore
    from brickyard.local.store.runs import JOB, TASK, RunStore

    db = Database(LocalHome(home).metadata_db)
    jobs, runs = JobStore(db), RunStore(db)
    tasks = [
        {"task_key": f"t{i}", "spark_python_task": {"python_file": f"/Workspace/t{i}.py"}}
        | ({"depends_on": [{"task_key": f"t{i - 1}"}]} if i else {})
        for i in range(TASKS)
    ]
    job_ids = [jobs.create({"name": f"job {n}", "tasks": tasks}, "bench@local").job_id for n in range(JOBS)]
    start = int(time.time() * 1000) - RUNS * 60_000
    for n in range(RUNS):
        job_id = job_ids[n % JOBS]
        run_id = runs.new_id()
        result = "FAILED" if n % 5 == 0 else "SUCCESS"
        begin, took = start + n * 60_000, 20_000 + (n % 17) * 1_000
        state = {"life_cycle_state": "TERMINATED", "result_state": result, "state_message": ""}
        doc = {"run_id": run_id, "job_id": job_id, "run_name": f"job {job_id}", "run_type": "JOB_RUN"}
        runs.save(
            JOB,
            doc | {"state": state, "start_time": begin, "end_time": begin + took, "run_duration": took},
            None,
            run_id,
        )
        for i, task in enumerate(tasks):
            task_id = runs.new_id()
            task_doc = task | {"run_id": task_id, "job_id": job_id, "state": state, "attempt_number": 0}
            task_doc |= {"start_time": begin + i * 5_000, "end_time": begin + (i + 1) * 5_000}
            runs.save(TASK, task_doc, run_id, run_id)
    db.close()
    return job_id, run_id


def timed(host: str, token: str, path: str) -> tuple[float, float]:
    samples = []
    for _ in range(REPEAT):
        request = urllib.request.Request(host + path, headers={"Authorization": f"Bearer {token}"})
        began = time.perf_counter()
        with urllib.request.urlopen(request) as response:
            response.read()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), max(samples)


def main() -> int:
    from brickyard.local.lifecycle import ensure_running, stop

    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        (project / "databricks.yml").write_text("bundle:\n  name: ui-bench\n")
        workspace = ensure_running(project, write_profile=False)
        try:
            began = time.perf_counter()
            job_id, run_id = seed(workspace.home)
            print(
                f"seeded {JOBS} jobs, {RUNS} runs, {RUNS * TASKS} task runs in {time.perf_counter() - began:.1f} s"
            )
            pages = {
                "home": "/",
                "jobs list": "/jobs",
                "job page (50 runs)": f"/jobs/{job_id}",
                "run page": f"/jobs/{job_id}/runs/{run_id}",
                "metrics page": "/insights",
                "/metrics scrape": "/metrics",
            }
            for name, path in pages.items():
                median, worst = timed(workspace.host, workspace.token, path)
                print(f"{name:<22} median {median:7.1f} ms   max {worst:7.1f} ms")
        finally:
            stop(project)
    return 0


if __name__ == "__main__":
    sys.exit(main())
