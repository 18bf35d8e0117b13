"""How fast the local workspace starts, and what a trivial job run costs on it.

Run: .venv/bin/python benchmarks/local_runs.py

Numbers, each on a fresh local workspace in a temporary project:

- server start to first request: from `ensure_running` being called (it spawns the server) to the
  first authenticated API answer;
- trivial run, cold: submit → TERMINATED for a one-task job (a `spark_python_task` that opens its
  Spark session and prints), on a server started without prestart, so the engine and the fork
  server start inside this run;
- trivial run, warm: the same, once the engine and the fork server are up (median and max of 10);
- trivial run, warm, 200 tables: the same once the workspace's catalog holds 200 tables, which
  every task's Spark session is given (and lists again when it stops).

Targets: ready < 2 s, warm trivial run < 1.5 s. Runs are polled every 10 ms through the SDK, so
the SDK's own 1-10 s back-off (`.result()`) is not what is measured.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

TRIVIAL = b"from pyspark.sql import SparkSession\nSparkSession.builder.getOrCreate()\nprint('ok')\n"
WARM_RUNS = 10
TABLES = 200
MANY_TABLES = (
    "from pyspark.sql import SparkSession\n"
    "spark = SparkSession.builder.getOrCreate()\n"
    "spark.sql('CREATE SCHEMA IF NOT EXISTS main.bench')\n"
    f"for i in range({TABLES}):\n"
    "    spark.sql(f'CREATE TABLE IF NOT EXISTS main.bench.t{i} (id INT) USING delta')\n"
).encode()


def first_answer(project: Path, prestart: bool) -> tuple[float, Any]:
    from brickyard.local.lifecycle import ensure_running

    started = time.perf_counter()
    workspace = ensure_running(project, write_profile=False, prestart=prestart)
    request = urllib.request.Request(
        f"{workspace.host}/api/2.0/preview/scim/v2/Me", headers={"Authorization": f"Bearer {workspace.token}"}
    )
    with urllib.request.urlopen(request) as response:
        response.read()
    return time.perf_counter() - started, workspace


def trivial_run(w: Any, script: str = "t.py") -> float:
    from databricks.sdk.service import jobs

    task = jobs.SubmitTask(
        task_key="t", spark_python_task=jobs.SparkPythonTask(python_file=f"/Workspace/Shared/{script}")
    )
    started = time.perf_counter()
    run_id = w.jobs.submit(run_name="trivial", tasks=[task]).run_id
    while True:
        run = w.jobs.get_run(run_id)
        if run.state.life_cycle_state.value in ("TERMINATED", "SKIPPED", "INTERNAL_ERROR"):
            break
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    if run.state.result_state is None or run.state.result_state.value != "SUCCESS":
        raise SystemExit(f"the trivial run failed: {run.state.state_message}")
    return elapsed


def client(workspace: Any) -> Any:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.service.workspace import ImportFormat

    w = WorkspaceClient(host=workspace.host, token=workspace.token, auth_type="pat")
    w.workspace.upload("/Shared/t.py", io.BytesIO(TRIVIAL), format=ImportFormat.AUTO, overwrite=True)
    w.workspace.upload("/Shared/tables.py", io.BytesIO(MANY_TABLES), format=ImportFormat.AUTO, overwrite=True)
    return w


def main() -> None:
    from brickyard.local.lifecycle import stop

    os.environ.setdefault("BRICKYARD_LOCAL_USER", "bench@brickyard.local")
    import databricks.sdk  # noqa: F401  (import cost is the client's, not the server's: pay it first)

    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "databricks.yml").write_text("bundle:\n  name: bench\n")
        try:
            ready, workspace = first_answer(project, prestart=False)
            print(f"server start -> first request:  {ready:6.3f} s")
            w = client(workspace)
            print(f"trivial run, cold:              {trivial_run(w):6.3f} s   (engine and fork server start)")
            trivial_run(w)
            warm = [trivial_run(w) for _ in range(WARM_RUNS)]
            print(
                f"trivial run, warm:              {statistics.median(warm):6.3f} s   "
                f"(median of {WARM_RUNS}; min {min(warm):.3f}, max {max(warm):.3f})"
            )
            trivial_run(w, "tables.py")
            trivial_run(w)
            many = [trivial_run(w) for _ in range(WARM_RUNS)]
            print(
                f"trivial run, warm, {TABLES} tables:  {statistics.median(many):6.3f} s   "
                f"(median of {WARM_RUNS}; min {min(many):.3f}, max {max(many):.3f})"
            )
        finally:
            stop(project)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
