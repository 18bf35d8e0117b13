"""The smoke layer: deploy to the target, run its smoke jobs, then the tests marked `smoke`.

A smoke job is one tagged `smoke` (any value), one listed in `brickyard.yml` under
`test.smoke_jobs`, or one whose key contains "smoke". Each run is reported and, with a JUnit folder,
written as a test case of `smoke-jobs.xml`, so CI shows smoke runs beside the tests.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from brickyard.context import AppContext
from brickyard.errors import BrickyardError

if TYPE_CHECKING:
    from brickyard.testing.layers import LayerResult, TestOptions


def smoke_jobs(jobs: dict[str, Any], named: list[str]) -> list[str]:
    chosen = []
    for key, job in sorted(jobs.items()):
        tags = (job or {}).get("tags") or {}
        if key in named or "smoke" in tags or "smoke" in key.lower():
            chosen.append(key)
    return chosen


def run_smoke(ctx: AppContext, root: Path, options: TestOptions, result: LayerResult) -> None:
    from brickyard.bundle import LoadOptions, load_bundle
    from brickyard.deploy import DeployOptions, deploy_bundle
    from brickyard.runs import RunOptions, run_resource
    from brickyard.settings import load_settings
    from brickyard.testing.layers import NO_TESTS, run_pytest

    deploy = DeployOptions(
        target=options.target, variables=options.variables, profile=options.profile, auto_approve=True
    )
    steps = _quiet(ctx)
    try:
        deploy_bundle(steps, deploy)
    except BrickyardError as err:
        result.result, result.detail = "failed", [f"deploy failed: {err}"]
        return
    bundle = load_bundle(
        ctx.cwd, LoadOptions(target=options.target, variables=options.variables, environ=ctx.environ)
    )
    named = list(load_settings(root).test.smoke_jobs)
    keys = smoke_jobs(bundle.get("resources", "jobs") or {}, named)
    cases: list[tuple[str, float, str | None]] = []
    for key in keys:
        started = time.monotonic()
        error = None
        try:
            run_resource(
                steps,
                RunOptions(
                    key=key, target=options.target, variables=options.variables, profile=options.profile
                ),
            )
        except BrickyardError as err:
            error = str(err)
        seconds = time.monotonic() - started
        cases.append((key, seconds, error))
        result.detail.append(f"job {key}: {'FAILED: ' + error if error else 'SUCCESS'} ({seconds:.1f}s)")
    if options.junit_dir is not None:
        _junit(options.junit_dir / "smoke-jobs.xml", cases)
    code = run_pytest(ctx, root, "smoke", options)
    failed = any(error for _, _, error in cases) or code not in (0, NO_TESTS)
    if failed:
        result.result = "failed"
    elif not cases and code == NO_TESTS:
        result.result = "no tests"
    else:
        result.result = "passed"


def _quiet(ctx: AppContext) -> AppContext:
    """In JSON mode the deploy's and runs' own results stay out of stdout: the layer report is the result."""
    if ctx.output.format != "json":
        return ctx
    from brickyard.output import CaptureOutput

    return AppContext(output=CaptureOutput(), cwd=ctx.cwd, environ=ctx.environ)


def _junit(path: Path, cases: list[tuple[str, float, str | None]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    suite = ET.Element(
        "testsuite",
        name="smoke-jobs",
        tests=str(len(cases)),
        failures=str(sum(1 for c in cases if c[2])),
        time=f"{sum(c[1] for c in cases):.3f}",
    )
    for key, seconds, error in cases:
        case = ET.SubElement(suite, "testcase", classname="smoke", name=key, time=f"{seconds:.3f}")
        if error:
            ET.SubElement(case, "failure", message=error[:500]).text = error
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
