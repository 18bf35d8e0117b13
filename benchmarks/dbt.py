"""dbt on the local workspace: a dbt_task cold and warm, against `dbt build` run directly on the same engine.

On the small project of the test suite (a seed, four models one of them incremental, five data
tests, a snapshot, a source in the `samples` catalog), in one run of this script, on one local
workspace, reports:

- `dbt build` run directly on the engine (`brickyard dbt -- build`: a new process that imports dbt,
  parses and builds, as a user runs it), three times: its wall time, and the time dbt itself
  reports for the build ("Finished running … in N s");
- the same `dbt build` as the dbt_task of a deployed job, three times: the task's own duration as
  the workspace records it (`runs/get`), cold (the first dbt task since the workspace started: the
  dbt fork server imports dbt, and dbt parses in full) and warm (dbt already imported, partial
  parsing kept), next to the wall time of `brickyard run`;
- the ratio of the warm task to the direct build (the goal: at most 1.5), and to the time dbt
  reports for its own build (dbt's work without its start: imports and parsing);
- `brickyard validate`: with no parse cache, unchanged (the fingerprint skips dbt), after an edit.

Numbers, not assertions. Run: .venv/bin/python benchmarks/dbt.py
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BRICKYARD = [sys.executable, "-m", "brickyard"]
_DBT_SECONDS = re.compile(r"Finished running .* in .*\(([\d.]+)s\)")


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[2:])} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds, done.stdout + done.stderr


def task_seconds(run_output: str) -> float:
    """The dbt task's duration as the workspace recorded it, from `brickyard run -o json`."""
    doc, _ = json.JSONDecoder().raw_decode(run_output[run_output.index("{") :])
    (task,) = doc["tasks"]
    return float(task["seconds"])


def main() -> None:
    from tests.dbt.shop import write_shop

    with tempfile.TemporaryDirectory() as tmp:
        root = write_shop(Path(tmp) / "dbtbench")
        bundle = root / "databricks.yml"  # the same work both ways: `dbt build` only
        bundle.write_text(bundle.read_text().replace('["dbt build", "dbt docs generate"]', '["dbt build"]'))
        env = {**os.environ, "BRICKYARD_LOCAL_USER": "bench@brickyard.local", "HOME": tmp}
        subprocess.run([*BRICKYARD, "local", "up"], cwd=root, env=env, check=True, capture_output=True)
        try:
            direct: list[float] = []
            reported: list[float] = []
            for n in range(3):
                seconds, out = timed([*BRICKYARD, "dbt", "--", "build"], root, env)
                found = _DBT_SECONDS.search(out)
                own = f"{float(found.group(1)):.1f} s" if found else "?"
                if found:
                    reported.append(float(found.group(1)))
                direct.append(seconds)
                print(
                    f"dbt build, directly on the engine #{n + 1}: {seconds:5.1f} s wall (dbt's own build: {own})"
                )
            timed([*BRICKYARD, "deploy"], root, env)
            tasks: list[float] = []
            for n in range(3):
                seconds, out = timed([*BRICKYARD, "run", "shop_job", "-o", "json"], root, env)
                tasks.append(task_seconds(out))
                label = "cold" if n == 0 else "warm"
                print(
                    f"dbt_task as a job task #{n + 1} ({label}): {tasks[-1]:5.1f} s task, {seconds:5.1f} s wall"
                )
            baseline = statistics.median(direct[1:])
            warm = statistics.median(tasks[1:])
            print(f"warm task / direct dbt build (wall): {warm / baseline:.2f}x (goal: at most 1.5x)")
            print(f"cold task / direct dbt build (wall): {tasks[0] / baseline:.2f}x")
            if reported:
                own = statistics.median(reported)
                print(f"warm task / the build time dbt reports: {warm / own:.2f}x")
            for label, edit in (("no parse cache", False), ("unchanged", False), ("after an edit", True)):
                if edit:
                    with (root / "dbt/models/customers.sql").open("a") as model:
                        model.write("-- edited\n")
                seconds, _ = timed([*BRICKYARD, "validate"], root, env)
                print(f"validate, {label}: {seconds:5.1f} s")
        finally:
            subprocess.run([*BRICKYARD, "local", "down"], cwd=root, env=env, capture_output=True)


if __name__ == "__main__":
    main()
