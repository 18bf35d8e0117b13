"""`brickyard promote`."""

from __future__ import annotations

from typing import Annotated

import typer

from brickyard.cli import options


def promote(
    source: Annotated[
        str, typer.Option("--from", metavar="TARGET", help="Target whose release is promoted.")
    ],
    dest: Annotated[str, typer.Option("--to", metavar="TARGET", help="Target to deploy it to.")],
    release: Annotated[
        int | None, typer.Option("--release", metavar="N", help="Release of --from (default: its latest).")
    ] = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    force: Annotated[
        bool, typer.Option("--force", help="Promote even a release from a branch --to does not allow.")
    ] = False,
    force_lock: options.ForceLock = False,
    auto_approve: options.AutoApprove = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Deploy exactly the files and artifacts of a release of one target to another, with that target's configuration."""
    from brickyard.context import AppContext
    from brickyard.releases.moves import MoveOptions
    from brickyard.releases.moves import promote as run_promote

    opts = MoveOptions(
        target=dest,
        variables=var or [],
        profile=profile,
        auto_approve=auto_approve,
        force_lock=force_lock,
        force=force,
    )
    run_promote(AppContext.create(output.value, local=local), source, opts, release)
