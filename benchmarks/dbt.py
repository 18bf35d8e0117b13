"""dbt on the local workspace: `brickyard dbt -- build`, the same build as a job task, and validate's parse.

On the small project of the test suite (a seed, four models one of them incremental, four data
tests, a snapshot, a source in the `samples` catalog), reports wall time of:

- `brickyard dbt -- build` three times (a new process each time, as a user runs it), next to the
  time dbt itself reports for the build ("Finished running … in N s");
- the same `dbt build` as the dbt_task of a deployed job (`brickyard run`), twice;
- `brickyard validate`: with no parse cache, unchanged (the fingerprint skips dbt), after an edit.

Numbers, not assertions. Run: .venv/bin/python benchmarks/dbt.py
"""

from __future__ import annotations

import os
import re
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


def main() -> None:
    from tests.dbt.shop import write_shop

    with tempfile.TemporaryDirectory() as tmp:
        root = write_shop(Path(tmp) / "dbtbench")
        env = {**os.environ, "BRICKYARD_LOCAL_USER": "bench@brickyard.local", "HOME": tmp}
        subprocess.run([*BRICKYARD, "local", "up"], cwd=root, env=env, check=True, capture_output=True)
        try:
            for n in range(3):
                seconds, out = timed([*BRICKYARD, "dbt", "--", "build"], root, env)
                found = _DBT_SECONDS.search(out)
                own = f"{float(found.group(1)):.1f} s" if found else "?"
                print(f"brickyard dbt -- build #{n + 1}: {seconds:5.1f} s (dbt's own build: {own})")
            timed([*BRICKYARD, "deploy"], root, env)
            for n in range(2):
                seconds, _ = timed([*BRICKYARD, "run", "shop_job"], root, env)
                print(f"job run with the dbt_task #{n + 1}:  {seconds:5.1f} s")
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
