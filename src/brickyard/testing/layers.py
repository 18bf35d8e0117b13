"""`brickyard test`: unit → integration → smoke, each reported, JUnit XML for CI.

Unit and integration layers are pytest runs in a child process (the project's tests, with the
plugin selecting the layer). The smoke layer deploys the bundle to the target, runs its smoke jobs
(tagged `smoke`, named in `brickyard.yml` `test.smoke_jobs`, or whose key contains "smoke") and
then any tests marked `smoke`. A layer with no tests is reported as such and does not fail.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brickyard.context import AppContext
from brickyard.errors import BrickyardError, UsageError
from brickyard.testing import LAYER_OPTION, TARGET_ENV

ORDER = ("unit", "integration", "smoke")
NO_TESTS = 5  # pytest's exit code when nothing was collected


@dataclass(frozen=True)
class TestOptions:
    layer: str = "all"
    target: str | None = None
    variables: Sequence[str] = ()
    profile: str | None = None
    pytest_args: Sequence[str] = ()
    junit_dir: Path | None = None


@dataclass
class LayerResult:
    layer: str
    result: str = "skipped"
    """passed, failed, no tests, skipped."""
    seconds: float = 0.0
    detail: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "result": self.result,
            "seconds": round(self.seconds, 2),
            "detail": self.detail,
        }


def run_tests(ctx: AppContext, options: TestOptions) -> list[LayerResult]:
    if options.layer not in (*ORDER, "all"):
        raise UsageError(f"unknown test layer {options.layer!r}: use unit, integration, smoke or all")
    from brickyard.bundle.loader import find_root

    root = find_root(ctx.cwd, dict(ctx.environ))
    layers = ORDER if options.layer == "all" else (options.layer,)
    results: list[LayerResult] = []
    for layer in layers:
        result = LayerResult(layer)
        results.append(result)
        started = time.monotonic()
        ctx.output.info(f"{layer} tests")
        if layer == "smoke":
            from brickyard.testing.smoke import run_smoke

            run_smoke(ctx, root, options, result)
        else:
            code = run_pytest(ctx, root, layer, options)
            result.result = {0: "passed", NO_TESTS: "no tests"}.get(code, "failed")
        result.seconds = time.monotonic() - started
        if result.result == "failed":
            break
    _report(ctx, results)
    failed = [r.layer for r in results if r.result == "failed"]
    if failed:
        raise BrickyardError(f"{failed[0]} tests failed")
    return results


def run_pytest(ctx: AppContext, root: Path, layer: str, options: TestOptions) -> int:
    args = [sys.executable, "-m", "pytest", f"{LAYER_OPTION}={layer}", *options.pytest_args]
    if not _plugin_registered():
        args[3:3] = ["-p", "brickyard.testing.plugin"]
    if options.junit_dir is not None:
        options.junit_dir.mkdir(parents=True, exist_ok=True)
        args.append(f"--junitxml={options.junit_dir / f'{layer}.xml'}")
    if (
        not any(a.startswith("tests") or Path(a).exists() for a in options.pytest_args)
        and (root / "tests").is_dir()
    ):
        args.append("tests")
    env = {**ctx.environ}
    if options.target:
        env[TARGET_ENV] = options.target
    if ctx.output.format == "json":  # stdout carries one JSON document: pytest's report goes to stderr
        done = subprocess.run(
            args, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
        )
        sys.stderr.write(done.stdout)
        return done.returncode
    return subprocess.run(args, cwd=root, env=env, check=False).returncode


def _plugin_registered() -> bool:
    from importlib.metadata import entry_points

    return any(ep.value == "brickyard.testing.plugin" for ep in entry_points(group="pytest11"))


def _report(ctx: AppContext, results: list[LayerResult]) -> None:
    marks = {"passed": "✓", "failed": "✗", "no tests": "-", "skipped": " "}
    lines = ["Test layers:"]
    for r in results:
        lines.append(f"  {marks[r.result]} {r.layer:<12} {r.result:<9} {r.seconds:6.1f}s")
        lines.extend(f"      {d}" for d in r.detail)
    ctx.output.result({"layers": [r.as_json() for r in results]}, "\n".join(lines))
