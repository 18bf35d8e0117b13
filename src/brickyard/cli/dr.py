"""`brickyard dr …`: recovery drills, the runbook, and the backups a location holds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from brickyard.cli import options
from brickyard.cli.backup import Tables

app = typer.Typer(
    name="dr",
    help="Disaster recovery: rehearse restores, write the runbook, list backups.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

Location = Annotated[
    str | None,
    typer.Option(
        "--location", metavar="LOCATION", help="Backup location (default: dr.location in brickyard.yml)."
    ),
]


@app.command("drill")
def drill(
    target: options.Target = None,
    tables: Tables = None,
    location: Location = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Rehearse on a sandbox target: back up, drop the tables, restore, verify; exit 1 naming the failed step."""
    from brickyard.context import AppContext
    from brickyard.dr.drill import DrillOptions, dr_drill

    dr_drill(
        AppContext.create(output.value, local=local),
        DrillOptions(
            target=target, variables=var or [], profile=profile, tables=tables or [], location=location
        ),
    )


@app.command("runbook")
def runbook(
    target: options.Target = None,
    out: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="Write to FILE instead of stdout.")
    ] = None,
    var: options.Var = None,
) -> None:
    """Print the target's recovery runbook (Markdown), generated from brickyard.yml and the bundle."""
    from brickyard.bundle import LoadOptions, load_bundle
    from brickyard.context import AppContext
    from brickyard.dr.runbook import runbook as write_runbook
    from brickyard.settings import load_settings

    ctx = AppContext.create("text")
    bundle = load_bundle(ctx.cwd, LoadOptions(target=target, variables=var or [], environ=ctx.environ))
    text = write_runbook(bundle, load_settings(bundle.root).dr)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        ctx.output.success(f"wrote {out}")


@app.command("list")
def list_backups(
    target: options.Target = None,
    location: Location = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """The backups in the location, oldest first, with their tables and versions."""
    from brickyard.context import AppContext
    from brickyard.dr.manifest import list_manifests
    from brickyard.dr.workspace import open_recovery

    ctx = AppContext.create(output.value, local=local)
    where = open_recovery(ctx, target, var or [], profile).location(location)
    manifests = list_manifests(where)
    rows = [
        {
            "backup_id": m.id,
            "created": m.created,
            "target": m.target,
            "tables": {t.full_name: t.snapshot.version for t in m.tables},
        }
        for m in manifests
    ]
    lines = [f"{len(rows)} backups in {where.url}"] + [
        f"  {m.id}  {m.created}  " + ", ".join(f"{t.full_name}@v{t.snapshot.version}" for t in m.tables)
        for m in manifests
    ]
    ctx.output.result(rows, "\n".join(lines))
