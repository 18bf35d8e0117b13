"""Where each verb module is attached to the root command, in the order `--help` lists them."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from brickyard.cli import validate

    app.command("validate")(validate.validate)
