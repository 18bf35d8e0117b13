"""`brickyard restore`."""

from __future__ import annotations

from typing import Annotated

import typer

from brickyard.cli import options
from brickyard.cli.backup import Tables


def restore(
    target: options.Target = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--from", metavar="LOCATION", help="Backup location (default: dr.location in brickyard.yml)."
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", metavar="TIME", help="The newest backup taken at or before TIME (2026-12-01T14:30)."
        ),
    ] = None,
    backup_id: Annotated[
        str | None, typer.Option("--backup", metavar="ID", help="This backup (see `brickyard dr list`).")
    ] = None,
    tables: Tables = None,
    suffix: Annotated[
        str,
        typer.Option("--suffix", metavar="SUFFIX", help="Restore beside the originals, as <table><SUFFIX>."),
    ] = "",
    storage_root: Annotated[
        str | None,
        typer.Option(
            "--storage-root",
            metavar="DIR",
            help="Where the restored tables' data goes (default on the local workspace: its warehouse).",
        ),
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace tables that exist.")] = False,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Recreate tables at their backed-up version, verify row counts and checksums, then register them.

    Without --backup or --at the newest backup is used. Existing tables are refused unless
    --replace; --suffix restores beside them for comparison.
    """
    from brickyard.context import AppContext
    from brickyard.dr.restore import RestoreOptions, run_restore

    if backup_id and at:
        raise typer.BadParameter("use --backup or --at, not both")
    run_restore(
        AppContext.create(output.value, local=local),
        RestoreOptions(
            target=target,
            variables=var or [],
            profile=profile,
            source=source,
            backup_id=backup_id,
            at=at,
            tables=tables or [],
            suffix=suffix,
            storage_root=storage_root,
            replace=replace,
        ),
    )
