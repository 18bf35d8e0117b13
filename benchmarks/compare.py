"""The example's notebook and pipeline logic on the local workspace vs plain local PySpark.

Runs `workloads/compare_orders.py` (land orders as JSON, bronze, silver with the expectations, marts) twice:
- on the local workspace: a one-task job (`spark_python_task`) on a running local workspace, Delta
  tables, timed from run-now to TERMINATED;
- on plain PySpark: `python workloads/compare_orders.py … --classic` in an environment with the full
  `pyspark` (JVM Spark, local[2]), parquet tables (Delta needs jars that JVM Spark fetches from Maven
  at start, unreachable here), timed as the whole process, JVM start included.
Prints both, their compute part alone, and the ratio plain/local (> 1: the local workspace is faster).

Plain PySpark needs Java (`java` on PATH; Debian: `apt-get install openjdk-17-jre-headless`) and the
full `pyspark` wheel (~450 MB), which is not a project dependency (it would replace `pyspark-client`):
it is installed from the package index into `.tools/pyspark-classic` on first use. If either is
missing and cannot be had, the benchmark says exactly which and reports no ratio.

Run: .venv/bin/python benchmarks/compare.py
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORKLOAD = Path(__file__).with_name("workloads") / "compare_orders.py"
CLASSIC = ROOT / ".tools" / "pyspark-classic"
PYSPARK = "pyspark==4.2.0"


def classic_python() -> tuple[Path | None, str]:
    """The interpreter of the plain-PySpark environment, or None and why there is none."""
    if shutil.which("java") is None:
        return (
            None,
            "no Java runtime: `java` is not on PATH (Debian: apt-get install openjdk-17-jre-headless)",
        )
    python = CLASSIC / "bin" / "python"
    probe = [
        str(python),
        "-c",
        "import pyspark, os; assert os.path.isdir(os.path.join(pyspark.__path__[0], 'jars'))",
    ]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python, ""
    uv = Path(sys.executable).with_name("uv")
    steps = [
        [str(uv), "venv", "-q", str(CLASSIC), "--python", sys.executable],
        [str(uv), "pip", "install", "-q", "--python", str(python), PYSPARK, "pandas<3", "pyarrow"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            return None, f"cannot install {PYSPARK} from the package index: {done.stderr.strip()[-300:]}"
    return python, ""


def _compute(output: str) -> float:
    match = re.search(r"compute ([0-9.]+)", output)
    return float(match.group(1)) if match else float("nan")


def _answer(output: str) -> str:
    match = re.search(r"customers \d+ revenue [0-9.]+", output)
    return match.group(0) if match else "no answer"


def run_plain(python: Path, directory: Path) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if k not in ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED")}
    started = time.perf_counter()
    done = subprocess.run(
        [str(python), str(WORKLOAD), str(directory), "parquet", "--classic"],
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"plain PySpark failed:\n{done.stderr[-2000:]}")
    print(f"  plain PySpark answered:         {_answer(done.stdout)}")
    return elapsed, _compute(done.stdout)


def run_local(w: Any, directory: Path) -> tuple[float, float]:
    from databricks.sdk.service import jobs
    from databricks.sdk.service.workspace import ImportFormat

    w.workspace.upload("/Shared/compare_orders.py", io.BytesIO(WORKLOAD.read_bytes()), format=ImportFormat.AUTO,
                       overwrite=True)  # fmt: skip
    task = jobs.Task(
        task_key="compare",
        spark_python_task=jobs.SparkPythonTask(
            python_file="/Workspace/Shared/compare_orders.py", parameters=[str(directory), "delta"]
        ),
    )
    job = w.jobs.create(name="compare", tasks=[task])
    started = time.perf_counter()
    run_id = w.jobs.run_now(job.job_id).run_id
    while (run := w.jobs.get_run(run_id)).state.life_cycle_state.value not in (
        "TERMINATED",
        "SKIPPED",
        "INTERNAL_ERROR",
    ):
        time.sleep(0.02)
    elapsed = time.perf_counter() - started
    output = w.jobs.get_run_output(run.tasks[0].run_id)
    if run.state.result_state is None or run.state.result_state.value != "SUCCESS":
        raise SystemExit(f"the job failed: {run.state.state_message}\n{output.error_trace or output.logs}")
    print(f"  local workspace answered:       {_answer(output.logs or '')}")
    return elapsed, _compute(output.logs or "")


def measure() -> dict[str, float | str]:
    from brickyard.local.lifecycle import ensure_running, stop

    python, why = classic_python()
    os.environ.setdefault("BRICKYARD_LOCAL_USER", "bench@brickyard.local")
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        (project / "databricks.yml").write_text("bundle: {name: compare}\n")
        workspace = ensure_running(project, write_profile=False, prestart=True)
        try:
            w = workspace.client()
            run_local(w, Path(tmp) / "warm-up")  # the engine and a worker are up, as on a warm workspace
            local, local_compute = run_local(w, Path(tmp) / "local")
        finally:
            stop(project)
        print(
            f"  local workspace (Sail, Delta):  {local:6.2f} s  run-now -> TERMINATED  (compute {local_compute:.2f} s)"
        )
        if python is None:
            print(f"  plain PySpark (JVM, parquet):   not measured: {why}")
            return {"local": local, "plain": "n/a", "why": why}
        plain, plain_compute = run_plain(python, Path(tmp) / "plain")
        print(
            f"  plain PySpark (JVM, parquet):   {plain:6.2f} s  whole process          (compute {plain_compute:.2f} s)"
        )
        print(
            f"  ratio plain / local:            {plain / local:6.2f}x  (compute alone {plain_compute / local_compute:.2f}x)"
        )
        return {
            "local": local,
            "plain": plain,
            "ratio": plain / local,
            "compute_ratio": plain_compute / local_compute,
        }


def main() -> None:
    print("example notebook + pipeline logic, local workspace vs plain local PySpark")
    measure()


if __name__ == "__main__":
    main()
