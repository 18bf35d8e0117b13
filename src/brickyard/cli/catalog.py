"""`brickyard catalog export|import`: Unity Catalog metadata as files in git."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from brickyard.cli import options

app = typer.Typer(
    name="catalog",
    help="Export Unity Catalog metadata (catalogs, schemas, tables, volumes, functions, grants) and apply it.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("export")
def export(
    target: options.Target = None,
    to: Annotated[
        Path, typer.Option("--to", metavar="DIR", help="Folder to write (default: catalog).")
    ] = Path("catalog"),
    catalog: Annotated[
        list[str] | None,
        typer.Option("--catalog", metavar="PATTERN", help="Only these catalogs (globs, repeatable)."),
    ] = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Write each catalog as DIR/<catalog>/catalog.yml and one <schema>.yml per schema, sorted for diffs."""
    from brickyard.context import AppContext
    from brickyard.dr.catalog_export import export_catalogs, write_export
    from brickyard.dr.workspace import open_recovery

    ctx = AppContext.create(output.value, local=local)
    recovery = open_recovery(ctx, target, var or [], profile)
    tree = export_catalogs(recovery, catalog or [])
    folder = to if to.is_absolute() else recovery.bundle.root / to
    files = write_export(tree, folder)
    ctx.output.result(
        {"directory": str(folder), "catalogs": sorted(tree), "files": [str(f) for f in files]},
        f"Exported {len(tree)} catalogs to {folder} ({len(files)} files)",
    )


@app.command("import")
def import_(
    target: options.Target = None,
    source: Annotated[
        Path, typer.Option("--from", metavar="DIR", help="Folder of an export (default: catalog).")
    ] = Path("catalog"),
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Create missing catalogs, schemas and volumes of an export and add its grants (never revokes)."""
    from brickyard.context import AppContext
    from brickyard.dr.catalog_export import import_catalogs, read_export
    from brickyard.dr.workspace import open_recovery

    ctx = AppContext.create(output.value, local=local)
    recovery = open_recovery(ctx, target, var or [], profile)
    folder = source if source.is_absolute() else recovery.bundle.root / source
    report = import_catalogs(recovery, read_export(folder))
    lines = [f"Imported {folder}:"]
    for what in ("created", "updated", "granted", "skipped"):
        for item in getattr(report, what):
            lines.append(f"  {what:<8} {item}")
    ctx.output.result(report.as_json(), "\n".join(lines))
