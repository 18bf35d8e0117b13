"""How long `deps lock` takes on the example project, against pip-compile on the same inputs.

Run: .venv/bin/python benchmarks/deps.py   (needs PyPI; pip-compile cold takes ~10 minutes here)

Four numbers, one run: `brickyard deps lock` (uv pip compile) with a cold and a warm uv cache, and
pip-tools' `pip-compile --generate-hashes` with a cold and a warm pip cache, both resolving the
example's combined input (Databricks Runtime 15.4 LTS baseline + its additions) for Python 3.11.
pip-tools is installed into a temporary virtual environment here, not into brickyard's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from brickyard.deps.layout import Layout
from brickyard.deps.lock import lock_inputs, read_inputs
from brickyard.deps.uvcmd import IndexOptions, uv_binary

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples"


def copy_inputs(target: Path) -> Path:
    (target / "requirements").mkdir(parents=True)
    for name in ("runtime-baseline.in", "additional-packages.in"):
        shutil.copy(EXAMPLE / "requirements" / name, target / "requirements" / name)
    return target


def brickyard_lock(workdir: Path, cache: Path) -> tuple[float, int]:
    os.environ["UV_CACHE_DIR"] = str(cache)
    (workdir / "requirements" / "requirements.txt").unlink(missing_ok=True)
    started = time.perf_counter()
    result = lock_inputs(read_inputs(Layout(workdir, "requirements", "")), IndexOptions())
    return time.perf_counter() - started, result.packages


def pip_tools_env(base: Path) -> Path:
    env = base / "piptools-venv"
    subprocess.run([uv_binary(), "venv", "-q", "--python", sys.executable, str(env)], check=True)
    subprocess.run(
        [uv_binary(), "pip", "install", "-q", "--python", str(env / "bin" / "python"), "pip-tools", "pip"],
        check=True,
    )
    return env


def pip_compile(env: Path, workdir: Path, cache: Path) -> tuple[float, int | str]:
    output = workdir / "requirements" / "pip-compile.txt"
    output.unlink(missing_ok=True)
    environ = {**os.environ, "PIP_CACHE_DIR": str(cache)}
    started = time.perf_counter()
    done = subprocess.run(
        [str(env / "bin" / "pip-compile"), "--quiet", "--generate-hashes", "--no-header", "--allow-unsafe",
         "--strip-extras", "--output-file", str(output), "requirements/requirements-combined.in"],
        cwd=workdir, env=environ, capture_output=True, text=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        return elapsed, "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:150]
    packages = sum(
        1 for line in output.read_text().splitlines() if "==" in line and not line.startswith((" ", "#"))
    )
    return elapsed, packages


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="brickyard-bench-") as tmp:
        base = Path(tmp)
        workdir = copy_inputs(base / "project")
        uv_cache = base / "uv-cache"
        cold, packages = brickyard_lock(workdir, uv_cache)
        warm, _ = brickyard_lock(workdir, uv_cache)
        print(
            f"brickyard deps lock (uv)     cold cache {cold:7.2f} s   warm cache {warm:6.2f} s   {packages} packages"
        )
        env = pip_tools_env(base)
        pip_cache = base / "pip-cache"
        pc_cold, pc_packages = pip_compile(env, workdir, pip_cache)
        pc_warm, _ = pip_compile(env, workdir, pip_cache)
        print(
            f"pip-compile (pip-tools)      cold cache {pc_cold:7.2f} s   warm cache {pc_warm:6.2f} s   {pc_packages} packages"
        )


if __name__ == "__main__":
    main()
