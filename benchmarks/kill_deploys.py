"""Killed deploys and rollbacks converge: SIGKILL at a random moment, then deploy again, then check.

Each trial changes the bundle (every file and one job setting), starts `brickyard deploy` (or, one
trial in three, `brickyard rollback`) as a process against a local workspace, kills it with SIGKILL
at a random moment within the time a deploy takes, and runs `brickyard deploy` again. A stale lock
(its holder was the killed process) is reported as such; the benchmark then takes it over with
`--force-lock`, as a user would after reading the message. The trial converged when, after that:

- every job key of the bundle has exactly one job in the workspace, and it is the state's (no
  duplicate, no orphan);
- the deploy lock is free;
- release numbers run 1..N without a gap, and the state's release is among them;
- the workspace's state and this machine's copy have the same serial;
- one more deploy writes nothing.

Run: .venv/bin/python benchmarks/kill_deploys.py [TRIALS] [SEED]
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

FILES = 20
JOBS = 3
BRICKYARD = str(Path(sys.executable).with_name("brickyard"))


def generate(root: Path, version: int) -> None:
    (root / "src").mkdir(parents=True, exist_ok=True)
    jobs = "".join(
        f"    job_{j}:\n      name: job-{j}\n      tasks:\n        - task_key: t\n"
        f"          notebook_task: {{notebook_path: ./src/nb_{j}.py, base_parameters: {{v: '{version}'}}}}\n"
        for j in range(JOBS)
    )
    (root / "databricks.yml").write_text(
        f"bundle: {{name: {root.name}}}\n"
        "targets:\n  prod:\n    default: true\n    mode: production\n"
        f"    workspace: {{host: local, root_path: /Workspace/Shared/.bundle/{root.name}}}\n"
        f"resources:\n  jobs:\n{jobs}"
    )
    for n in range(FILES):
        (root / "src" / f"nb_{n}.py").write_text(f"# Databricks notebook source\nprint('{n} v{version}')\n")


def brickyard(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BRICKYARD, *args, "-o", "json"], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def recover(root: Path, env: dict[str, str]) -> tuple[bool, bool, str]:
    """(deployed, needed --force-lock, error text)."""
    done = brickyard(root, env, "deploy", "--auto-approve")
    if done.returncode == 0:
        return True, False, ""
    if "is stale" in done.stderr + done.stdout:
        done = brickyard(root, env, "deploy", "--auto-approve", "--force-lock")
        return done.returncode == 0, True, done.stderr[-400:]
    return False, False, (done.stderr + done.stdout)[-400:]


def check(client: Any, root: Path, env: dict[str, str]) -> list[str]:
    from databricks.sdk.errors import NotFound

    from brickyard.releases.store import ReleaseStore
    from brickyard.state.store import StateStore

    problems = []
    state_path = f"/Workspace/Shared/.bundle/{root.name}/state"
    store = StateStore(client, state_path, root / ".brickyard/targets/prod", root.name, "prod")
    remote, cached = store.read_remote(), store._read_cache()
    if remote is None or cached is None or remote.serial != cached.serial:
        problems.append("state: workspace and cache differ")
    jobs = [
        j
        for j in client.jobs.list()
        if j.settings.deployment
        and f"/.bundle/{root.name}/" in (j.settings.deployment.metadata_file_path or "")
    ]
    names = Counter(j.settings.name for j in jobs)
    if any(count != 1 for count in names.values()) or len(names) != JOBS:
        problems.append(f"jobs: {dict(names)}")
    if remote is not None and {str(j.job_id) for j in jobs} != {r.id for r in remote.resources.values()}:
        problems.append("jobs: the workspace's and the state's differ")
    try:
        client.workspace.get_status(f"{state_path}/deploy.lock")
        problems.append("lock: still held")
    except NotFound:
        pass
    numbers = [r.number for r in ReleaseStore(client, state_path).index().releases]
    if numbers != list(range(1, len(numbers) + 1)) or (remote is not None and remote.release not in numbers):
        problems.append(f"releases: {numbers}, state names {remote.release if remote else None}")
    again = brickyard(root, env, "deploy", "--auto-approve")
    if again.returncode != 0 or json.loads(again.stdout)["applied"]["write_calls"] != 0:
        problems.append("the next deploy was not a no-op")
    return problems


def main(trials: int = 20, seed: int = 1) -> int:
    from brickyard.local.lifecycle import ensure_running, stop

    with tempfile.TemporaryDirectory(prefix="kill-deploys-") as tmp:
        home = Path(tmp) / "workspace"
        home.mkdir()
        (home / "databricks.yml").write_text("bundle: {name: kill-deploys}\n")
        env = {**os.environ, "BRICKYARD_LOCAL_WORKSPACE_DIR": str(home), "HOME": tmp}
        os.environ["HOME"] = tmp
        ws = ensure_running(home, write_profile=False)
        try:
            return _trials(ws, home, Path(tmp), env, trials, seed)
        finally:
            stop(home)


def _trials(ws: Any, home: Path, tmp: Path, env: dict[str, str], trials: int, seed: int) -> int:
    from databricks.sdk import WorkspaceClient

    rng = random.Random(seed)
    client = WorkspaceClient(host=ws.host, token=ws.token, auth_type="pat")
    root = tmp / f"kill{seed}"
    version = 1
    generate(root, version)
    first = brickyard(root, env, "deploy", "--auto-approve")
    assert first.returncode == 0, first.stderr
    version += 1
    generate(root, version)
    started = time.perf_counter()
    second = brickyard(root, env, "deploy", "--auto-approve")
    span = time.perf_counter() - started  # a deploy that changes everything, start to end
    assert second.returncode == 0, second.stderr
    print(f"a full redeploy: {span:.2f}s; kills drawn in [0.2, {span:.2f}]s", flush=True)
    converged, forced, failures = 0, 0, []
    for trial in range(trials):
        verb = "rollback" if trial % 3 == 2 else "deploy"
        version += 1
        generate(root, version)
        process = subprocess.Popen(
            [BRICKYARD, verb, "--auto-approve", "-o", "json"],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        at = rng.uniform(0.2, span)
        time.sleep(at)  # the moment of the kill, not a synchronisation
        process.send_signal(signal.SIGKILL)
        process.wait()
        deployed, needed_force, error = recover(root, env)
        forced += needed_force
        problems = check(client, root, env) if deployed else [f"recovery deploy failed: {error}"]
        if problems:
            failures.append(f"trial {trial} ({verb} killed at {at:.2f}s): {'; '.join(problems)}")
        else:
            converged += 1
        print(f"trial {trial}: {verb} killed at {at:.2f}s: {'; '.join(problems) or 'converged'}", flush=True)
    print(f"converged: {converged}/{trials}; stale lock taken over with --force-lock: {forced}")
    for failure in failures:
        print(failure)
    return 0 if converged == trials else 1


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:3])))
