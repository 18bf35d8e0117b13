"""`brickyard release …`: release lines in git (`release cut`)."""

from __future__ import annotations

from typing import Annotated

import typer

from brickyard.cli import options

app = typer.Typer(
    name="release",
    help="Release lines in git: cut a release branch and its first tag.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("cut")
def cut(
    version: Annotated[
        str, typer.Argument(metavar="X.Y", help="Release line to cut: 1.4, or a candidate such as 1.4-RC.")
    ],
    allow_dirty: Annotated[
        bool, typer.Option("--allow-dirty", help="Cut from the last commit even with uncommitted changes.")
    ] = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Create branch release/X.Y and tag vX.Y.0 at the current commit, without checking either out.

    Refuses when either exists already, or when the working tree has uncommitted or untracked files.
    Targets that deploy only from release branches (`releases.branches` in brickyard.yml) accept it.
    """
    from brickyard.context import AppContext
    from brickyard.releases.cut import cut_release

    cut_release(AppContext.create(output.value), version, allow_dirty=allow_dirty)
