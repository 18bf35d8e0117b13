"""`brickyard alerts check`."""

from __future__ import annotations

from typing import Annotated

import typer

from brickyard.cli import options

app = typer.Typer(
    name="alerts",
    help="Alert rules of brickyard.yml (failed runs, slower runs, expectation failures, volume drops).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("check")
def check(
    target: options.Target = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say which alerts fire; deliver nothing.")
    ] = False,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Evaluate the alert rules against the target's run and pipeline history and deliver each new
    alert to its webhooks and email addresses (each alert once per destination).

    Exit 1 when a delivery failed.
    """
    from brickyard.alerts.check import AlertOptions, check_alerts
    from brickyard.context import AppContext

    check_alerts(AppContext.create(output.value, local=local), AlertOptions(target, profile, dry_run))
