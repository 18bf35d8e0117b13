"""`brickyard backup`."""

from __future__ import annotations

from typing import Annotated

import typer

from brickyard.cli import options

Tables = Annotated[
    list[str] | None,
    typer.Option(
        "--tables",
        metavar="PATTERN",
        help="Tables to back up, as catalog.schema.table globs (repeatable; default: dr.tables in brickyard.yml).",
    ),
]


def backup(
    target: options.Target = None,
    tables: Tables = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="LOCATION",
            help="A folder, /Volumes/<catalog>/<schema>/<volume>/<dir>, s3://, abfss://, az:// or gs:// "
            "(default: dr.location in brickyard.yml).",
        ),
    ] = None,
    keep: Annotated[
        int | None,
        typer.Option("--keep", min=1, metavar="N", help="Keep only the N newest backups afterwards."),
    ] = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Back up Delta tables: each at one version, its data files and schema, copied incrementally.

    Files a previous backup in the same location holds are not copied again. Every file is
    checksummed; the backup's manifest (table, version, schema, row count, files) is written last,
    so an interrupted backup leaves no half backup behind.
    """
    from brickyard.context import AppContext
    from brickyard.dr.backup import BackupOptions, run_backup

    run_backup(
        AppContext.create(output.value, local=local),
        BackupOptions(
            target=target, variables=var or [], profile=profile, tables=tables or [], location=to, keep=keep
        ),
    )
