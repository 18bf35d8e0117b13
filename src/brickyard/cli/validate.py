"""`brickyard validate`."""

from __future__ import annotations

from typing import Annotated

import typer

from brickyard.cli import options


def validate(
    target: options.Target = None,
    var: options.Var = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    include_locations: Annotated[
        bool,
        typer.Option(
            "--include-locations", help="With -o json, add where each part was written (__locations)."
        ),
    ] = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Validate the bundle offline: schema, references, paths, task graph, mode rules and secrets.

    With -o json, print the fully resolved configuration of the target in the shape of
    `databricks bundle validate -o json`.
    """
    from brickyard.context import AppContext
    from brickyard.validate import run_validate

    ctx = AppContext.create(output.value)
    outcome = run_validate(
        ctx, target=target, variables=var or [], strict=strict, include_locations=include_locations
    )
    if not outcome.ok:
        raise typer.Exit(1)  # every finding is already printed, as the summary says
