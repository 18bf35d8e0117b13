"""`brickyard init` + first deploy + run of each template's job, on one local workspace.

    .venv/bin/python benchmarks/init_templates.py [TEMPLATE ...]

The first template pays the workspace's start (cold); the others find it running (warm). Each
row: init, deploy and run wall times, and whether the job succeeded.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

JOBS = {
    "default-python": "{name}_job",
    "lakeflow-pipelines": "{name}_job",
    "default-sql": "{name}_sql_job",
    "dbt-sql": "{name}_job",
    "blueprint": "orders_smoke_test",
}


def main() -> None:
    from brickyard.cli.main import run
    from brickyard.local.lifecycle import stop

    chosen = sys.argv[1:] or list(JOBS)
    work = Path(tempfile.mkdtemp(prefix="brickyard-init-bench-"))
    os.environ["BRICKYARD_LOCAL_WORKSPACE_DIR"] = str(work / "ws")
    (work / "ws").mkdir()
    (work / "ws" / "databricks.yml").write_text("bundle: {name: ws}\n")

    def timed(*argv: str) -> tuple[float, int]:
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = run(list(argv))
        return time.perf_counter() - started, code

    print(f"{'template':<20} {'init':>6} {'deploy':>8} {'run':>8}  result")
    try:
        for template in chosen:
            os.chdir(work)
            init_s, _ = timed("init", template, f"bench_{template.replace('-', '_')}", "--no-input")
            project = work / f"bench_{template.replace('-', '_')}"
            os.chdir(project)
            deploy_s, deployed = timed("deploy", "--auto-approve")
            job = JOBS[template].format(name=project.name)
            run_s, ran = timed("run", job) if deployed == 0 else (0.0, 1)
            result = "SUCCESS" if deployed == ran == 0 else "FAILED"
            print(f"{template:<20} {init_s:6.2f} {deploy_s:8.2f} {run_s:8.2f}  {result}", flush=True)
    finally:
        stop(work / "ws")


if __name__ == "__main__":
    main()
