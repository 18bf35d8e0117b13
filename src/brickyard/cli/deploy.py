"""`brickyard deploy`."""

from __future__ import annotations

from typing import Annotated

import typer

from brickyard.cli import options


def deploy(
    target: options.Target = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select", metavar="KIND.KEY", help="Deploy only this resource, e.g. jobs.etl (repeatable)."
        ),
    ] = None,
    force_lock: options.ForceLock = False,
    force: options.ForceBranch = False,
    auto_approve: options.AutoApprove = False,
    terminate_clusters: Annotated[
        bool,
        typer.Option(
            "--terminate-clusters",
            help="Terminate the all-purpose clusters this deploy created or changed (creating or editing starts them).",
        ),
    ] = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Build artifacts, sync files and apply resources to the target's workspace.

    A target without a host (or with `host: local`) deploys to the embedded local workspace; so
    does any target with --local, which also creates the catalogs and schemas the bundle uses but
    does not define there first.
    """
    from brickyard.context import AppContext
    from brickyard.deploy import DeployOptions, deploy_bundle

    ctx = AppContext.create(output.value, local=local)
    deploy_bundle(
        ctx,
        DeployOptions(
            target=target,
            variables=var or [],
            profile=profile,
            select=select or [],
            force_lock=force_lock,
            force=force,
            auto_approve=auto_approve,
            terminate_clusters=terminate_clusters,
        ),
    )
