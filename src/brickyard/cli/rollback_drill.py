"""`brickyard rollback-drill`."""

from __future__ import annotations

from typing import Annotated

import typer

from brickyard.cli import options


def rollback_drill(
    target: options.Target = None,
    smoke_job: Annotated[
        str | None,
        typer.Option(
            "--smoke-job",
            metavar="KEY",
            help="Job that tells whether a release works (default: the job named *smoke*).",
        ),
    ] = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    force_lock: options.ForceLock = False,
    force: options.ForceBranch = False,
    auto_approve: options.AutoApprove = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Rehearse a rollback on a sandbox target: deploy, roll back, smoke test, roll forward, smoke test.

    Deploys the current checkout, rolls back to the previous release, runs the smoke job, rolls
    forward to the release deployed first and runs the smoke job again. Reports every step with
    its result, duration and release numbers; exits with 1 naming the first step that failed. The
    target needs an earlier release to roll back to.
    """
    from brickyard.context import AppContext
    from brickyard.releases.drill import DrillOptions
    from brickyard.releases.drill import rollback_drill as drill

    drill(
        AppContext.create(output.value, local=local),
        DrillOptions(
            target=target,
            variables=var or [],
            profile=profile,
            smoke_job=smoke_job,
            auto_approve=auto_approve,
            force_lock=force_lock,
            force=force,
        ),
    )
