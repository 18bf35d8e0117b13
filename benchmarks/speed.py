"""Every speed goal of brickyard in one run, each number printed next to its goal.

    .venv/bin/python benchmarks/speed.py            # all of it (several minutes)
    .venv/bin/python benchmarks/speed.py cli runs   # only some sections: cli runs example deploy compare

- cli: `brickyard --help` and `brickyard validate` of `examples/` as whole processes with
  PYTHONDONTWRITEBYTECODE=1 (median wall time of 7, and their CPU time, which a busy machine
  inflates less), and a validate whose remembered YAML was cleared first;
- runs: a trivial notebook task on a warm local workspace, run-now -> TERMINATED (median of 5, a
  second apart, as runs come on a warm workspace);
- example: the example project's `orders_job` end to end with `brickyard run` (deployed first),
  cold (no server running: it starts on demand) and warm, and the peak memory of the local
  workspace and its engine meanwhile (PSS summed over the server's process tree, which counts
  pages forked workers share once; RSS summed too, which counts them in every process);
- deploy: `benchmarks/deploy.py` (no-op redeploy through a 20 ms proxy, 500 files);
- compare: `benchmarks/compare.py` (local workspace vs plain PySpark).

Numbers on a machine shared with other work are noisy: compare runs of one session, not of two.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BRICKYARD = str(BIN / "brickyard")
sys.path.insert(0, str(Path(__file__).parent))

RESULTS: list[tuple[str, str, str, bool | None]] = []


def report(name: str, value: float | str, goal: float | None, unit: str = "s") -> None:
    shown = f"{value:.3f} {unit}" if isinstance(value, float) else value
    ok = None if goal is None or not isinstance(value, float) else value <= goal
    RESULTS.append((name, shown, f"<= {goal} {unit}" if goal is not None else "", ok))
    mark = "" if ok is None else ("  ok" if ok else "  MISSED")
    print(f"  {name:<48} {shown:>12}   {RESULTS[-1][2]:<12}{mark}", flush=True)


def timed_process(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout.decode()}\n{done.stderr.decode()}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cli() -> None:
    print("command start (whole processes, PYTHONDONTWRITEBYTECODE=1)")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for label, args, goal in (
        ("brickyard --help", ["--help"], 0.15),
        ("brickyard validate (examples/)", ["validate"], 0.3),
    ):
        timed_process([BRICKYARD, *args], ROOT / "examples", env)  # the first run warms the file cache
        runs = [timed_process([BRICKYARD, *args], ROOT / "examples", env) for _ in range(7)]
        report(f"{label}, wall", statistics.median(w for w, _ in runs), goal)
        report(f"{label}, CPU", statistics.median(c for _, c in runs), goal)
    # The runs above find the bundle's parsed YAML remembered (bundle.yamlcache), as every validate
    # after the first does; for comparison, a validate that parses every file anew:
    remembered = ROOT / "examples" / ".brickyard" / "cache" / "yaml"

    def anew() -> tuple[float, float]:
        shutil.rmtree(remembered, ignore_errors=True)
        return timed_process([BRICKYARD, "validate"], ROOT / "examples", env)

    runs = [anew() for _ in range(7)]
    report("validate, every YAML file parsed anew, wall", statistics.median(w for w, _ in runs), None)
    report("validate, every YAML file parsed anew, CPU", statistics.median(c for _, c in runs), None)


def runs() -> None:
    from databricks.sdk.service import jobs
    from databricks.sdk.service.workspace import ImportFormat

    from brickyard.local.lifecycle import ensure_running, stop

    print("job runs on a warm local workspace")
    os.environ.setdefault("BRICKYARD_LOCAL_USER", "bench@brickyard.local")
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "databricks.yml").write_text("bundle: {name: speed}\n")
        workspace = ensure_running(project, write_profile=False, prestart=True)
        try:
            w = workspace.client()
            notebook = b"# Databricks notebook source\nprint('ok')\n"
            w.workspace.upload(
                "/Shared/trivial.py", io.BytesIO(notebook), format=ImportFormat.AUTO, overwrite=True
            )
            task = jobs.Task(task_key="t", notebook_task=jobs.NotebookTask(notebook_path="/Shared/trivial"))
            job = w.jobs.create(name="trivial", tasks=[task]).job_id

            def one() -> float:
                started = time.perf_counter()
                run_id = w.jobs.run_now(job).run_id
                while (run := w.jobs.get_run(run_id)).state.life_cycle_state.value not in (
                    "TERMINATED",
                    "SKIPPED",
                ):
                    time.sleep(0.01)
                if run.state.result_state is None or run.state.result_state.value != "SUCCESS":
                    raise SystemExit(f"the trivial run failed: {run.state.state_message}")
                return time.perf_counter() - started

            one()
            times = []
            for _ in range(5):
                time.sleep(1.0)
                times.append(one())
            report("trivial notebook task, run-now -> TERMINATED", statistics.median(times), 0.5)
        finally:
            stop(project)


class MemorySampler:
    """Peak PSS and RSS summed over a process and its descendants, sampled every 0.1 s."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.peak_pss = self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        from brickyard.local.lifecycle import status

        root: int | None = None
        while not self._stop.wait(0.1):
            if root is None:
                root = status(self.project).pid
                continue
            pss = rss = 0
            for pid in _tree(root):
                pss += _kb(f"/proc/{pid}/smaps_rollup", "Pss:")
                rss += _kb(f"/proc/{pid}/status", "VmRSS:")
            self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _kb(path: str, key: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def example() -> None:
    print("the example project's orders_job, end to end with `brickyard run`")
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "examples"
        shutil.copytree(
            ROOT / "examples", project, ignore=shutil.ignore_patterns(".brickyard", "__pycache__")
        )
        env = {
            **os.environ,
            "UV_OFFLINE": "1",
            "BRICKYARD_FIND_LINKS": str(ROOT / ".wheelhouse"),
            "PYTHONDONTWRITEBYTECODE": "1",
            "BRICKYARD_LOCAL_USER": "bench@brickyard.local",
        }
        env.pop("BRICKYARD_LOCAL_WORKSPACE_DIR", None)
        try:
            timed_process([BRICKYARD, "deploy", "-t", "local", "--auto-approve"], project, env)
            timed_process([BRICKYARD, "local", "down"], project, env)
            with MemorySampler(project) as memory:
                cold, _ = timed_process([BRICKYARD, "run", "orders_job", "-t", "local"], project, env)
                warm, _ = timed_process([BRICKYARD, "run", "orders_job", "-t", "local"], project, env)
            tasks = subprocess.run(
                [BRICKYARD, "runs", "orders_job", "-t", "local", "--tasks", "--limit", "2"],
                cwd=project, env=env, capture_output=True, text=True,
            )  # fmt: skip
            print(tasks.stdout.rstrip())  # where the time went, task by task
            report("orders_job end to end, cold (server not running)", cold, 15.0)
            report("orders_job end to end, warm", warm, 6.0)
            report(
                "peak memory of the local workspace + engine (PSS)", memory.peak_pss / 1024 / 1024, 1.5, "GB"
            )
            report("  same, RSS summed over its processes", memory.peak_rss / 1024 / 1024, None, "GB")
        finally:
            subprocess.run([BRICKYARD, "local", "down"], cwd=project, env=env, capture_output=True)


def deploy() -> None:
    import deploy as bench

    print("brickyard deploy through a proxy adding 20 ms per request, 500 notebooks / 50 jobs")
    numbers = bench.measure(quick=True)
    report("no-op redeploy / first deploy", numbers["noop"] / numbers["first"] * 100, 10.0, "%")
    report("no-op redeploy", numbers["noop"], 1.0)


def compare() -> None:
    import compare as bench

    print("example logic: local workspace vs plain local PySpark")
    numbers: dict[str, Any] = bench.measure()
    if isinstance(numbers.get("ratio"), float):
        report("plain PySpark time / local workspace time", numbers["ratio"], None, "x")
    else:
        report("plain PySpark time / local workspace time", f"n/a: {numbers['why']}", None)


SECTIONS = {"cli": cli, "runs": runs, "example": example, "deploy": deploy, "compare": compare}


def main() -> None:
    chosen = [a for a in sys.argv[1:] if a in SECTIONS] or list(SECTIONS)
    for name in chosen:
        try:
            SECTIONS[name]()
        except SystemExit as failed:  # one section failing still reports the others
            print(f"  {name}: not measured: {failed}")
            RESULTS.append((name, "failed", "", False))
    print("\nsummary")
    for name, shown, goal, ok in RESULTS:
        mark = "" if ok is None else ("ok" if ok else "MISSED")
        print(f"  {name:<48} {shown:>12}   {goal:<12}{mark}")


if __name__ == "__main__":
    main()
