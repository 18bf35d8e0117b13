"""Deploy speed on a generated bundle of 500 notebooks and 50 jobs, on the local workspace.

Reports wall time and the write API calls (every non-GET request the SDK sends) of: the first
deploy, a no-op redeploy, and a redeploy after changing one notebook. Targets: the no-op redeploy
makes zero write calls and takes under 10% of the first deploy; one changed file costs one upload.

Two rounds: the local server as it is (a request costs ~2 ms, so fixed local work such as reading
the bundle weighs more), and with 20 ms added to every request through the server's fault rules,
closer to a real workspace over the network.

Run: .venv/bin/python benchmarks/deploy.py
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

NOTEBOOKS = 500
JOBS = 50


def generate(root: Path) -> None:
    """The bundle takes its directory's name, so two rounds never share workspace paths."""
    (root / "notebooks").mkdir(parents=True)
    (root / "resources").mkdir()
    (root / "databricks.yml").write_text(
        f"bundle: {{name: {root.name}}}\ninclude: [resources/*.yml]\n"
        "targets:\n  local: {default: true, mode: development, workspace: {host: local}}\n"
    )
    for n in range(NOTEBOOKS):
        (root / "notebooks" / f"nb_{n:03d}.py").write_text(
            f"# Databricks notebook source\nprint('notebook {n}')\n# COMMAND ----------\nx = {n}\n"
        )
    per_job = NOTEBOOKS // JOBS
    for j in range(JOBS):
        tasks = "".join(
            f"        - task_key: t{k}\n"
            + (f"          depends_on: [{{task_key: t{k - 1}}}]\n" if k else "")
            + f"          notebook_task: {{notebook_path: ../notebooks/nb_{j * per_job + k:03d}.py}}\n"
            for k in range(per_job)
        )
        (root / "resources" / f"job_{j:02d}.yml").write_text(
            f"resources:\n  jobs:\n    job_{j:02d}:\n      name: job {j}\n      tasks:\n{tasks}"
        )


class WriteCounter:
    """Counts the requests the SDK sends, by method, for the duration of one deploy."""

    def __init__(self) -> None:
        from databricks.sdk.core import ApiClient

        self.calls: Counter[str] = Counter()
        original = ApiClient.do

        def do(client: Any, method: str, *args: Any, **kwargs: Any) -> Any:
            self.calls[method] += 1
            return original(client, method, *args, **kwargs)

        ApiClient.do = do  # type: ignore[method-assign]

    def writes(self) -> int:
        return sum(n for method, n in self.calls.items() if method != "GET")


def deploy(root: Path, counter: WriteCounter, workspace: Path) -> tuple[float, int, Any]:
    from brickyard.context import AppContext
    from brickyard.deploy import DeployOptions, deploy_bundle
    from brickyard.output import CaptureOutput

    counter.calls.clear()
    environ = {**os.environ, "BRICKYARD_LOCAL_WORKSPACE_DIR": str(workspace)}
    started = time.perf_counter()
    report = deploy_bundle(AppContext(CaptureOutput(), root, environ), DeployOptions())
    return time.perf_counter() - started, counter.writes(), report


def main() -> None:
    from brickyard.local.lifecycle import ensure_running, stop

    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "workspace"
        workspace.mkdir()
        (workspace / "databricks.yml").write_text("bundle: {name: bench-workspace}\n")
        os.environ.setdefault("BRICKYARD_LOCAL_USER", "bench@brickyard.local")
        local = ensure_running(workspace, write_profile=False, prestart=False)
        try:
            counter = WriteCounter()
            print("local server, no added latency")
            round_trip(Path(tmp) / "bundle", counter, workspace)
            client = local.client()
            delay = {"path": ".*", "delay": 0.02}
            client.api_client.do("PUT", "/api/2.0/brickyard/faults", body={"rules": [delay]})
            print("every request 20 ms slower")
            round_trip(Path(tmp) / "bundle-latency", counter, workspace)
            client.api_client.do("DELETE", "/api/2.0/brickyard/faults")
        finally:
            stop(workspace)


def round_trip(root: Path, counter: WriteCounter, workspace: Path) -> None:
    generate(root)
    first, first_writes, report = deploy(root, counter, workspace)
    print(
        f"  first deploy:      {first:6.2f} s  {first_writes:5d} write calls "
        f"({report.files_uploaded} files, {len(report.created)} jobs)"
    )
    noop, noop_writes, _ = deploy(root, counter, workspace)
    print(f"  no-op redeploy:    {noop:6.2f} s  {noop_writes:5d} write calls  ({noop / first:.1%} of first)")
    (root / "notebooks" / "nb_042.py").write_text("# Databricks notebook source\nprint('changed')\n")
    one, one_writes, report = deploy(root, counter, workspace)
    print(
        f"  one file changed:  {one:6.2f} s  {one_writes:5d} write calls "
        f"({report.files_uploaded} upload; {one_writes - report.files_uploaded} for the state and release record)"
    )


if __name__ == "__main__":
    main()
