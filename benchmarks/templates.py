"""Deploy + run of the template-shaped bundles in tests/realbundles, cold and warm.

Run: .venv/bin/python benchmarks/templates.py [NAME ...]

For each bundle (default_python, lakeflow_pipelines, dbt_sql, default_minimal by default), in a
fresh local workspace of its own: the first deploy and the first run of its job (cold: the server,
engine, fork server, sample data and any environment start or are made inside them), then a second
deploy (no change) and a second run (warm). A table of seconds is printed; every run must succeed.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BUNDLES = Path(__file__).resolve().parents[1] / "tests" / "realbundles" / "bundles"
JOBS = {
    "default_python": "default_python_job",
    "lakeflow_pipelines": "sample_job",
    "dbt_sql": "dbt_sql_job",
    "default_minimal": "hello_job",
    "default_sql": "default_sql_sql_job",
    "pydabs": "pydabs_job",
}


def _context(root: Path) -> Any:
    from brickyard.context import AppContext
    from brickyard.output import CaptureOutput

    return AppContext(output=CaptureOutput(answer=True), cwd=root, environ=dict(os.environ))


def _timed(action: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def measure(name: str, workdir: Path) -> dict[str, float]:
    from brickyard.deploy import DeployOptions, deploy_bundle
    from brickyard.local.lifecycle import stop
    from brickyard.runs import RunOptions, run_resource

    root = workdir / name
    shutil.copytree(BUNDLES / name, root)
    if (root / "resources" / "__init__.py").is_file():  # Python-defined resources: this environment
        (root / ".venv").symlink_to(sys.prefix)  # has databricks-bundles, as the project's would
    timings: dict[str, float] = {}
    try:
        for round_ in ("cold", "warm"):
            seconds, _ = _timed(lambda: deploy_bundle(_context(root), DeployOptions(auto_approve=True)))
            timings[f"deploy {round_}"] = seconds
            seconds, outcome = _timed(lambda: run_resource(_context(root), RunOptions(key=JOBS[name])))
            if not outcome.succeeded:
                failed = [(t.task_key, t.error) for t in outcome.tasks if t.result != "SUCCESS"]
                raise SystemExit(f"{name}: the run did not succeed: {failed}")
            timings[f"run {round_}"] = seconds
    finally:
        stop(root)
    return timings


def main(names: list[str]) -> None:
    os.environ.setdefault("BRICKYARD_LOCAL_USER", "bench@brickyard.local")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="brickyard-templates-") as tmp:
        for name in names or list(JOBS):
            results[name] = measure(name, Path(tmp))
            print(name, " ".join(f"{k}={v:.1f}s" for k, v in results[name].items()), flush=True)
    columns = ["deploy cold", "run cold", "deploy warm", "run warm"]
    print(f"\n{'bundle':<20}" + "".join(f"{c:>13}" for c in columns))
    for name, timing in results.items():
        print(f"{name:<20}" + "".join(f"{timing[c]:>12.1f}s" for c in columns))


if __name__ == "__main__":
    main(sys.argv[1:])
