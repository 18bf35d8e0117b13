"""`brickyard sync` of 500 notebooks on the local workspace: first sync, no-op, one change.

    .venv/bin/python benchmarks/sync.py [--notebooks 500]

Also times `sync push` of the same notebooks as a folder (notebook by notebook, with the
overwrite check) and a `sync pull` with nothing changed. Whole commands in-process, wall time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notebooks", type=int, default=500)
    args = parser.parse_args()
    from brickyard.cli.main import run
    from brickyard.local.lifecycle import ensure_running, stop

    work = Path(tempfile.mkdtemp(prefix="brickyard-sync-bench-"))
    root = work / "syncbench"
    (root / "notebooks").mkdir(parents=True)
    (root / "databricks.yml").write_text("bundle: {name: syncbench}\ntargets:\n  local: {default: true}\n")
    for n in range(args.notebooks):
        (root / "notebooks" / f"nb_{n:03d}.py").write_text(
            f"# Databricks notebook source\nprint('notebook {n}')\n# COMMAND ----------\nx = {n}\n"
        )
    os.environ["BRICKYARD_LOCAL_WORKSPACE_DIR"] = str(work)
    os.chdir(root)
    ensure_running(work, write_profile=False)
    try:

        def timed(label: str, *argv: str) -> None:
            started = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):  # the JSON results are not the point here
                code = run([*argv, "-o", "json"])
            print(f"{label:<34} {time.perf_counter() - started:7.2f} s  (exit {code})", flush=True)

        timed(f"sync, first ({args.notebooks} notebooks)", "sync")
        timed("sync, nothing changed", "sync")
        (root / "notebooks" / "nb_007.py").write_text("# Databricks notebook source\nprint('changed')\n")
        timed("sync, one notebook changed", "sync")
        timed("sync push, first", "sync", "push", "notebooks", "--to", "/Users/bench/main/notebooks")
        timed(
            "sync push, nothing changed", "sync", "push", "notebooks", "--to", "/Users/bench/main/notebooks"
        )
        timed(
            "sync pull, nothing changed", "sync", "pull", "notebooks", "--from", "/Users/bench/main/notebooks"
        )
    finally:
        stop(work)


if __name__ == "__main__":
    main()
