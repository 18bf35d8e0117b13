"""`brickyard sync push|pull`: a folder of notebooks to a workspace folder and back."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Annotated

import typer

from brickyard.cli import options

app = typer.Typer(
    name="sync",
    help="Sync the bundle's files to the target (push/pull: notebook folders to and from the workspace).",
    rich_markup_mode=None,
)

Folder = Annotated[Path, typer.Argument(metavar="[DIR]", help="Local folder (default: notebooks).")]
Overwrite = Annotated[bool, typer.Option("--overwrite", help="Replace the other side's edits.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Say what would be copied, copy nothing.")]


@app.callback(invoke_without_command=True)
def sync(
    ctx: typer.Context,
    target: options.Target = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep syncing on every change until Ctrl-C.")
    ] = False,
    full: Annotated[bool, typer.Option("--full", help="Upload every file, whatever the state says.")] = False,
    dry_run: DryRun = False,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    force_lock: options.ForceLock = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Upload the bundle's changed files to the target's file path (no resources, no release).

    Uses the deploy's inventory and content hashes (sync.paths, include, exclude, .gitignore), so
    an unchanged bundle uploads nothing and the next deploy sees the files as synced.
    """
    if ctx.invoked_subcommand is not None:
        given = [
            f"--{name.replace('_', '-')}"
            for name, value in ctx.params.items()
            if value not in (_DEFAULTS[name], None, [], ())
        ]
        if given:  # they belong to `sync` alone: silently pushing to the default target would be worse
            raise typer.BadParameter(
                f"{', '.join(given)} before `{ctx.invoked_subcommand}` would be ignored; "
                f"give them after it: brickyard sync {ctx.invoked_subcommand} … {' '.join(given)}"
            )
        return
    from brickyard.context import AppContext
    from brickyard.sync.bundle import BundleSyncOptions, sync_bundle

    sync_bundle(
        AppContext.create(output.value, local=local),
        BundleSyncOptions(
            target=target,
            variables=var or [],
            profile=profile,
            full=full,
            dry_run=dry_run,
            watch=watch,
            force_lock=force_lock,
        ),
    )


_DEFAULTS = {
    name: parameter.default for name, parameter in inspect.signature(sync).parameters.items() if name != "ctx"
}


@app.command("push")
def push(
    folder: Folder = Path("notebooks"),
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="PATH", help="Workspace folder (default: /Users/<me>/<branch>/<DIR>)."),
    ] = None,
    target: options.Target = None,
    overwrite: Overwrite = False,
    dry_run: DryRun = False,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Copy the folder's notebooks and files to the workspace (notebooks without their extension).

    Refuses to replace anything edited in the workspace since the last sync, naming it.
    """
    from brickyard.context import AppContext
    from brickyard.sync.run import FolderSyncOptions, sync_folder

    sync_folder(
        AppContext.create(output.value, local=local),
        "push",
        FolderSyncOptions(folder, to, target, profile, overwrite, dry_run),
    )


@app.command("pull")
def pull(
    folder: Folder = Path("notebooks"),
    source: Annotated[
        str | None,
        typer.Option(
            "--from", metavar="PATH", help="Workspace folder (default: /Users/<me>/<branch>/<DIR>)."
        ),
    ] = None,
    target: options.Target = None,
    overwrite: Overwrite = False,
    dry_run: DryRun = False,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Copy what changed in the workspace folder back, with each notebook's extension (.py, .sql, .scala, .r, .ipynb).

    Refuses to replace a local file edited since the last sync, naming it.
    """
    from brickyard.context import AppContext
    from brickyard.sync.run import FolderSyncOptions, sync_folder

    sync_folder(
        AppContext.create(output.value, local=local),
        "pull",
        FolderSyncOptions(folder, source, target, profile, overwrite, dry_run),
    )
