"""`brickyard jobs …`: the job definition store (export deployed jobs to files, restore them)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from brickyard.cli import options

app = typer.Typer(
    name="jobs",
    help="Keep deployed job definitions in git and put them back after UI edits or deletions.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

Directory = Annotated[
    Path | None,
    typer.Option(
        "--dir",
        metavar="DIR",
        help="Definition store (default: config/jobs); files go to DIR/<target>/<key>.json.",
    ),
]
Keys = Annotated[
    list[str] | None, typer.Option("--key", metavar="KEY", help="Only this job key (repeatable).")
]


@app.command("export")
def export(
    target: options.Target = None,
    directory: Directory = None,
    key: Keys = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Write each deployed job's settings, as the workspace holds them, to one JSON file per job key.

    Keys are sorted and the indent fixed, so exporting twice writes the same bytes and git shows
    only real changes. Credentials are replaced by a fingerprint, never written.
    """
    from brickyard.context import AppContext
    from brickyard.releases.jobstore import StoreOptions, export_jobs

    export_jobs(
        AppContext.create(output.value, local=local),
        StoreOptions(
            target=target, variables=var or [], profile=profile, directory=directory, keys=key or []
        ),
    )


@app.command("restore")
def restore(
    target: options.Target = None,
    directory: Directory = None,
    key: Keys = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    force_lock: options.ForceLock = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Re-create jobs deleted in the UI, and reset jobs edited by hand, from their stored definitions.

    A re-created job's new id goes into the deployment state, so later deploys update it and
    destroy deletes it.
    """
    from brickyard.context import AppContext
    from brickyard.releases.jobstore import StoreOptions, restore_jobs

    restore_jobs(
        AppContext.create(output.value, local=local),
        StoreOptions(
            target=target,
            variables=var or [],
            profile=profile,
            directory=directory,
            keys=key or [],
            force_lock=force_lock,
        ),
    )
