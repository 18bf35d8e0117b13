"""`brickyard rollback-drill`: prove on a sandbox that the previous release can take over.

A rollback is only worth something if it works on the day it is needed. The drill does what that
day would: deploy the current checkout, roll back to the previous release, run the smoke job on
it, roll forward to the release deployed first, and run the smoke job again. Each step is timed
and reported; a failing step fails the drill (exit 1) by name. Once the drill has deployed, the
roll forward is attempted whatever failed in between, so the sandbox is left on the release it
started from. It is built from `deploy_bundle`, `releases.moves.rollback` and `runs.run_resource`
as they are, so it exercises exactly what `deploy`, `rollback` and `run` would do.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from brickyard.bundle import Bundle
from brickyard.context import AppContext
from brickyard.deploy.target import open_target
from brickyard.errors import DrillFailedError, ReleaseError, UsageError
from brickyard.releases.drill_output import StepOutput
from brickyard.releases.store import ReleaseStore

Result = Literal["ok", "failed", "skipped"]


@dataclass(frozen=True)
class DrillOptions:
    target: str | None = None
    variables: Sequence[str] = ()
    profile: str | None = None
    smoke_job: str | None = None
    auto_approve: bool = False
    force_lock: bool = False
    force: bool = False
    """Deploy even from a git branch the target does not allow."""


@dataclass
class Step:
    name: str
    result: Result = "skipped"
    seconds: float = 0.0
    release: int | None = None
    """The release whose content the target holds after this step."""
    recorded: int | None = None
    """The release this step recorded, if it changed the target."""
    message: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "step": self.name,
            "result": self.result,
            "seconds": round(self.seconds, 2),
            "release": self.release,
            "recorded_release": self.recorded,
            "message": self.message,
        }


@dataclass
class Drill:
    target: str
    smoke_job: str
    steps: list[Step] = field(default_factory=list)

    @property
    def failed(self) -> Step | None:
        return next((s for s in self.steps if s.result == "failed"), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "smoke_job": self.smoke_job,
            "succeeded": self.failed is None,
            "steps": [s.as_json() for s in self.steps],
        }


def rollback_drill(ctx: AppContext, options: DrillOptions) -> Drill:
    from brickyard.deploy import DeployOptions, deploy_bundle
    from brickyard.releases.moves import MoveOptions, rollback
    from brickyard.runs import RunOptions, run_resource

    target = open_target(ctx, options.target, options.variables, options.profile)
    smoke = smoke_job(target.bundle, options.smoke_job)
    store = ReleaseStore(target.client, target.store.state_path)
    name = target.bundle.target
    latest = store.index().latest
    if latest is None:
        raise ReleaseError(
            f"target {name} has no releases yet, so there is nothing to roll back to: deploy it once, "
            "then run the drill from a newer checkout"
        )
    quiet = AppContext(output=StepOutput(ctx.output), cwd=ctx.cwd, environ=ctx.environ)
    moves = MoveOptions(
        target=name,
        variables=options.variables,
        profile=options.profile,
        auto_approve=options.auto_approve,
        force_lock=options.force_lock,
    )
    drill = Drill(name, smoke)

    def smoke_test(release: int) -> Callable[[], Any]:
        def call() -> Any:
            if f"jobs.{smoke}" not in store.get(release).resources:
                raise ReleaseError(f"release {release} has no job {smoke} to run")
            return run_resource(
                quiet,
                RunOptions(key=smoke, target=name, variables=options.variables, profile=options.profile),
            )

        return call

    deploy = DeployOptions(
        target=name,
        variables=options.variables,
        profile=options.profile,
        auto_approve=options.auto_approve,
        force_lock=options.force_lock,
        force=options.force,
    )
    first = _run(ctx, drill, Step("deploy the current checkout"), lambda: deploy_bundle(quiet, deploy))
    if first.result == "failed":
        return _finish(ctx, drill)
    index = store.index()
    assert index.latest is not None
    current = first.release = index.latest.content_of
    first.recorded = index.latest.number if index.latest.number > latest.number else None
    try:
        previous = index.previous().number
    except ReleaseError:
        raise ReleaseError(
            f"release {current} is the first release of {name}: the drill needs an earlier release to roll back to; "
            "deploy it, change something, and run the drill again"
        ) from None
    back = _run(
        ctx,
        drill,
        Step(f"roll back to release {previous}", release=previous),
        lambda: rollback(quiet, moves, to=previous),
    )
    _smoke(ctx, drill, f"smoke test {smoke} on release {previous}", previous, back, smoke_test(previous))
    forward = _run(
        ctx,
        drill,
        Step(f"roll forward to release {current}", release=current),
        lambda: rollback(quiet, moves, to=current),
    )
    _smoke(ctx, drill, f"smoke test {smoke} on release {current}", current, forward, smoke_test(current))
    return _finish(ctx, drill)


def smoke_job(bundle: Bundle, wanted: str | None) -> str:
    """The job that tells whether a release works: `wanted`, or the one job whose key says smoke."""
    jobs = sorted(bundle.resources("jobs"))
    if wanted is not None:
        if wanted not in jobs:
            raise UsageError(
                f"--smoke-job {wanted}: the bundle has no such job (jobs: {', '.join(jobs) or 'none'})"
            )
        return wanted
    found = [key for key in jobs if "smoke" in key.lower()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise UsageError(
            f"the bundle has no job whose key contains 'smoke' (jobs: {', '.join(jobs) or 'none'}); "
            "name the smoke job with --smoke-job KEY"
        )
    raise UsageError(
        f"several jobs look like the smoke job ({', '.join(found)}); choose one with --smoke-job KEY"
    )


def _smoke(
    ctx: AppContext, drill: Drill, name: str, release: int, before: Step, call: Callable[[], Any]
) -> None:
    if before.result != "ok":
        drill.steps.append(Step(name, "skipped", release=release, message=f"{before.name} did not succeed"))
        return
    _run(ctx, drill, Step(name, release=release), call)


def _run(ctx: AppContext, drill: Drill, step: Step, call: Callable[[], Any]) -> Step:
    ctx.output.info(f"Drill step {len(drill.steps) + 1}: {step.name}")
    started = time.perf_counter()
    try:
        outcome = call()
    except Exception as err:  # a step that fails is reported, and the drill goes on to roll forward
        step = replace(step, result="failed", message=str(err) or type(err).__name__)
    else:
        release = getattr(outcome, "release", None)
        step = replace(step, result="ok", recorded=getattr(release, "number", None))
    step.seconds = time.perf_counter() - started
    drill.steps.append(step)
    return step


def _finish(ctx: AppContext, drill: Drill) -> Drill:
    ctx.output.result(drill.as_json(), lambda console: _render(console, drill))
    failed = drill.failed
    if failed is not None:
        raise DrillFailedError(
            failed.name, f"rollback drill on {drill.target} failed at step '{failed.name}': {failed.message}"
        )
    return drill


def _render(console: Any, drill: Drill) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table("#", "step", "result", "time", "release", "recorded", box=None, pad_edge=False)
    colours = {"ok": "green", "failed": "red", "skipped": "dim"}
    for number, step in enumerate(drill.steps, 1):
        table.add_row(
            Text(str(number)),
            Text(step.name),
            Text(step.result, colours[step.result]),
            Text(f"{step.seconds:.1f}s"),
            Text(str(step.release or "-")),
            Text(str(step.recorded or "-")),
        )
    console.print(table)
    for step in drill.steps:
        if step.result != "ok" and step.message:
            console.print(Text(f"{step.name}: {step.message}", colours[step.result]))
    verdict = "passed" if drill.failed is None else "FAILED"
    console.print(
        Text(f"Rollback drill on {drill.target} {verdict}", "green" if drill.failed is None else "red")
    )
