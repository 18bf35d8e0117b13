"""How long `validate` takes: the example project, and a generated bundle of 200 jobs.

Run: .venv/bin/python benchmarks/validate.py   (target: the example under 0.5 s)
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from brickyard.bundle import LoadOptions, load_bundle

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "# Databricks notebook source\nprint('hi')\n"


def generate(directory: Path, jobs: int) -> Path:
    (directory / "resources").mkdir(parents=True)
    (directory / "notebooks").mkdir()
    (directory / "databricks.yml").write_text(
        "bundle: {name: generated}\ninclude: [resources/*.yml]\n"
        "variables:\n  catalog: {default: main}\n  cluster:\n    type: complex\n"
        "    default: {spark_version: 15.4.x-scala2.12, node_type_id: m5.xlarge, num_workers: 2}\n"
        "targets:\n  dev: {default: true, mode: development}\n  prod:\n    mode: production\n"
        "    workspace: {root_path: /Workspace/Shared/.bundle/generated/prod}\n"
    )
    for n in range(jobs):
        (directory / "notebooks" / f"nb_{n}.py").write_text(NOTEBOOK)
        tasks = "\n".join(
            f"        - task_key: t{k}\n"
            + (f"          depends_on: [{{task_key: t{k - 1}}}]\n" if k else "")
            + "          job_cluster_key: main\n"
            f"          notebook_task:\n            notebook_path: ../notebooks/nb_{n}.py\n"
            "            base_parameters: {catalog: '${var.catalog}', run: '{{job.run_id}}'}\n"
            for k in range(5)
        )
        (directory / "resources" / f"job_{n}.yml").write_text(
            f"resources:\n  jobs:\n    job_{n}:\n      name: job {n} on ${{var.catalog}}\n"
            "      schedule: {quartz_cron_expression: '0 0 * * * ?', timezone_id: UTC}\n"
            "      job_clusters:\n        - job_cluster_key: main\n          new_cluster: ${var.cluster}\n"
            f"      tasks:\n{tasks}\n"
        )
    return directory


def measure(root: Path, target: str, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        load_bundle(root, LoadOptions(target=target, environ={}))
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


def main() -> None:
    example = ROOT / "examples"
    median, best = measure(example, "local", 20)
    print(f"validate example (local target):   median {median * 1000:7.1f} ms   best {best * 1000:7.1f} ms")
    median, best = measure(example, "prod", 20)
    print(f"validate example (prod target):    median {median * 1000:7.1f} ms   best {best * 1000:7.1f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        generated = generate(Path(tmp) / "bundle", 200)
        median, best = measure(generated, "dev", 5)
        print(
            f"validate 200 jobs x 5 tasks (dev): median {median * 1000:7.1f} ms   best {best * 1000:7.1f} ms"
        )
        median, best = measure(generated, "prod", 5)
        print(
            f"validate 200 jobs x 5 tasks (prod):median {median * 1000:7.1f} ms   best {best * 1000:7.1f} ms"
        )


if __name__ == "__main__":
    main()
