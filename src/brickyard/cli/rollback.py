"""`brickyard rollback`."""

from __future__ import annotations

from typing import Annotated

import typer

from brickyard.cli import options


def rollback(
    target: options.Target = None,
    to: Annotated[
        int | None,
        typer.Option("--to", metavar="N", help="Release to go back to (default: the previous one)."),
    ] = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    force_lock: options.ForceLock = False,
    auto_approve: options.AutoApprove = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Redeploy a previous release exactly (its files, artifacts and settings), recorded as a new release."""
    from brickyard.context import AppContext
    from brickyard.releases.moves import MoveOptions
    from brickyard.releases.moves import rollback as run_rollback

    opts = MoveOptions(
        target=target, variables=var or [], profile=profile, auto_approve=auto_approve, force_lock=force_lock
    )
    run_rollback(AppContext.create(output.value, local=local), opts, to)
