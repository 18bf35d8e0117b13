"""`brickyard run KEY`: run a deployed job or pipeline by its resource key and report the result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from brickyard.context import AppContext
from brickyard.deploy.target import Target, open_target
from brickyard.errors import BrickyardError, RunFailedError, UsageError
from brickyard.runs.job import RunOutcome, start_job, watch_job
from brickyard.runs.pipeline import UpdateOutcome, start_update, watch_update


@dataclass(frozen=True)
class RunOptions:
    key: str
    target: str | None = None
    variables: Sequence[str] = ()
    profile: str | None = None
    params: Sequence[str] = ()
    notebook_params: Sequence[str] = ()
    """`notebook_params` of run-now: override notebook tasks' `base_parameters`, as the CLI's flag."""
    only: Sequence[str] = ()
    no_wait: bool = False
    full_refresh: bool = False


def run_resource(ctx: AppContext, options: RunOptions) -> RunOutcome | UpdateOutcome | None:
    target = open_target(ctx, options.target, options.variables, options.profile)
    kind, resource_id = _resolve(ctx, target, options.key)
    return _RUNNERS[kind](ctx, target, options, resource_id)


def _run_job(ctx: AppContext, target: Target, options: RunOptions, resource_id: str) -> RunOutcome | None:
    client = target.client
    run_id = start_job(
        client,
        resource_id,
        _params(options.params),
        list(options.only),
        _params(options.notebook_params, "--notebook-params"),
    )
    url = _run_url(client, run_id)
    ctx.output.info(f"Started run {run_id} of {options.key}: {url}")
    if options.no_wait:
        ctx.output.result({"run_id": run_id, "run_page_url": url}, f"Run {run_id} started: {url}")
        return None
    outcome = watch_job(client, run_id, ctx.output)
    ctx.output.result(outcome.as_json(), lambda console: _render_job(console, outcome))
    if not outcome.succeeded:
        raise RunFailedError(
            f"run {run_id} of {options.key} ended {outcome.result or outcome.state}: {outcome.message or 'see above'}"
            f"\n{outcome.url}",
            run_id,
            outcome.url,
        )
    return outcome


def _run_pipeline(
    ctx: AppContext, target: Target, options: RunOptions, resource_id: str
) -> UpdateOutcome | None:
    if options.only:
        raise UsageError(
            "--only selects tasks of a job; pipelines refresh everything (use a job with pipeline_task)"
        )
    _params(options.params)
    if options.notebook_params:
        raise UsageError("--notebook-params sets notebook tasks' parameters of a job; a pipeline has none")
    client = target.client
    update_id = start_update(client, resource_id, full_refresh=options.full_refresh)
    ctx.output.info(f"Started update {update_id} of pipeline {options.key}")
    if options.no_wait:
        ctx.output.result({"pipeline_id": resource_id, "update_id": update_id}, f"Update {update_id} started")
        return None
    update = watch_update(client, resource_id, update_id, ctx.output, target.base_url)
    ctx.output.result(update.as_json(), lambda console: _render_update(console, update))
    if not update.succeeded:
        raise RunFailedError(
            f"pipeline {options.key} update {update_id} ended {update.state}: "
            + ("; ".join(update.errors) or "see above"),
            update_id,
            update.url,
        )
    return update


_RUNNERS: dict[str, Callable[[AppContext, Target, RunOptions, str], RunOutcome | UpdateOutcome | None]] = {
    "jobs": _run_job,
    "pipelines": _run_pipeline,
}
"""The kinds `brickyard run` starts, each through its own run API."""


def _resolve(ctx: AppContext, target: Target, key: str) -> tuple[str, str]:
    state = target.read_state(ctx)
    found = [(kind, state.resource(kind, key)) for kind in _RUNNERS]
    deployed = [(kind, r) for kind, r in found if r is not None]
    if len(deployed) > 1:
        raise UsageError(f"{key} names both a job and a pipeline; rename one of them")
    if deployed:
        kind, resource = deployed[0]
        assert resource is not None
        return kind, resource.id
    declared = [kind for kind in _RUNNERS if key in target.bundle.resources(kind)]
    if declared:
        raise BrickyardError(
            f"{declared[0][:-1]} {key} is not deployed to target {target.bundle.target} yet; "
            f"run `brickyard deploy -t {target.bundle.target}` first"
        )
    known = sorted(k for kind in _RUNNERS for k in target.bundle.resources(kind))
    raise UsageError(f"no job or pipeline named {key}; this bundle has: {', '.join(known) or 'none'}")


def _params(pairs: Sequence[str], flag: str = "--params") -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"{flag} expects name=value, got {pair!r}")
        out[name] = value
    return out


def _run_url(client: Any, run_id: int) -> str:
    run = client.api_client.do("GET", "/api/2.2/jobs/runs/get", query={"run_id": run_id})
    return str(run.get("run_page_url") or "")


def _render_job(console: Any, outcome: RunOutcome) -> None:
    from rich.text import Text

    colour = "green" if outcome.succeeded else "red"
    for task in outcome.tasks:
        mark = {"SUCCESS": ("✓", "green"), "": ("·", "dim")}.get(task.result, ("✗", "red"))
        console.print(
            Text.assemble(
                (mark[0], mark[1]),
                f" {task.task_key}  ",
                (task.result or task.state, mark[1]),
                f"  {task.seconds:.1f}s",
            )
        )
        if task.output and task.pipeline is None:  # a pipeline task's flows say more than its log
            first, *rest = task.output.splitlines() or [""]
            console.print(Text(f"    output: {first}"))
            for line in rest:
                console.print(Text(f"            {line}"))
        if task.pipeline is not None:
            _render_flows(console, task.pipeline, indent="    ")
        if task.error:
            console.print(Text(f"    error: {task.error}", style="red"))
        if task.error_trace:
            for line in user_frames(task.error_trace).splitlines()[-15:]:
                console.print(Text(f"    {line}", style="dim"))
    console.print(
        Text.assemble(
            ("Run ", ""),
            (outcome.result or outcome.state, colour),
            f" in {outcome.seconds:.1f}s  {outcome.url}",
        )
    )


def user_frames(trace: str) -> str:
    """A Python trace with the frames of installed libraries (pyspark's client, say) folded into one
    line, so the user's own frames and the error fit on a screen."""
    lines = trace.strip().splitlines()
    out: list[str] = []
    folded = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith('  File "'):
            end = index + 1
            while end < len(lines) and lines[end].startswith("    "):
                end += 1
            if "/site-packages/" in line or "/lib/python3." in line:
                folded += 1
            else:
                if folded:
                    out.append(f"  … {folded} frame(s) of installed libraries")
                    folded = 0
                out.extend(lines[index:end])
            index = end
            continue
        if folded:
            out.append(f"  … {folded} frame(s) of installed libraries")
            folded = 0
        out.append(line)
        index += 1
    return "\n".join(out)


def _render_update(console: Any, update: UpdateOutcome) -> None:
    from rich.text import Text

    _render_flows(console, update, indent="  ")
    colour = "green" if update.succeeded else "red"
    console.print(
        Text.assemble("Update ", (update.state, colour), f" in {update.seconds:.1f}s  {update.url}")
    )


def _render_flows(console: Any, update: UpdateOutcome, indent: str) -> None:
    from rich.text import Text

    for flow in update.flows:
        rows = "" if flow.rows is None else f"{flow.rows} rows"
        colour = "green" if flow.status == "COMPLETED" else "yellow"
        console.print(Text.assemble(f"{indent}{flow.dataset}  ", (flow.status, colour), f"  {rows}"))
        for exp in flow.expectations:
            console.print(Text(f"{indent}    expect {exp.name}: {exp.passed} passed, {exp.failed} failed"))
        if flow.dropped:
            console.print(Text(f"{indent}    dropped {flow.dropped} record(s)"))
        if flow.error:
            console.print(Text(f"{indent}    {flow.error}", style="red"))
