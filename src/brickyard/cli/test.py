"""`brickyard test`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from brickyard.cli import options


def test(
    ctx: typer.Context,
    layer: Annotated[
        str, typer.Argument(metavar="[unit|integration|smoke|all]", help="Which layer (default: all).")
    ] = "all",
    target: options.Target = None,
    junit_dir: Annotated[
        Path | None, typer.Option("--junit-dir", metavar="DIR", help="Write JUnit XML per layer into DIR.")
    ] = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Run the project's tests by layer: unit (pure Python), integration (local Spark), smoke (deployed jobs).

    Arguments after the options go to pytest (`brickyard test unit -k scoring -x`). `all` runs the
    layers in order and stops at the first that fails. smoke deploys to the target (the local
    workspace by default) and runs the jobs tagged `smoke`.
    """
    from brickyard.context import AppContext
    from brickyard.testing.layers import TestOptions, run_tests

    run_tests(
        AppContext.create(output.value, local=local),
        TestOptions(
            layer=layer,
            target=target,
            variables=var or [],
            profile=profile,
            pytest_args=list(ctx.args),
            junit_dir=junit_dir,
        ),
    )
