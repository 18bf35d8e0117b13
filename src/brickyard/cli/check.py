"""`brickyard check`."""

from __future__ import annotations

from typing import Annotated

import typer

from brickyard.cli import options


def check(
    tables: Annotated[
        list[str] | None, typer.Argument(metavar="[TABLE]...", help="Only these tables (globs).")
    ] = None,
    target: options.Target = None,
    warehouse: Annotated[
        str | None, typer.Option("--warehouse", metavar="NAME|ID", help="SQL warehouse to run the checks on.")
    ] = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Profile the declared tables on the target and fail (exit 1) with a table of the checks that broke.

    Checks: row count ranges, null rates, distinct counts, uniqueness, accepted values, freshness,
    and drift against the previous run's profile (kept in the workspace beside the state).
    """
    from brickyard.checks.run import CheckOptions, run_checks
    from brickyard.context import AppContext

    run_checks(
        AppContext.create(output.value, local=local),
        CheckOptions(
            target=target, variables=var or [], profile=profile, tables=tables or [], warehouse=warehouse
        ),
    )
