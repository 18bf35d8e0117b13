"""`brickyard run`."""

from __future__ import annotations

from typing import Annotated

import typer

from brickyard.cli import options


def run(
    key: Annotated[str, typer.Argument(help="Resource key of a job or pipeline in the bundle.")],
    target: options.Target = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    params: Annotated[
        list[str] | None,
        typer.Option("--params", metavar="NAME=VALUE", help="Job parameter (repeatable)."),
    ] = None,
    notebook_params: Annotated[
        list[str] | None,
        typer.Option(
            "--notebook-params",
            metavar="NAME=VALUE,…",
            help="Notebook tasks' parameters, for jobs without job parameters (repeatable).",
        ),
    ] = None,
    only: Annotated[
        str | None, typer.Option("--only", metavar="TASK,…", help="Run only these tasks of the job.")
    ] = None,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Start the run and return at once.")] = False,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="Pipelines: recompute every table from scratch.")
    ] = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Run a deployed job or pipeline, show live progress and each task's result.

    Exits with 1 when the run does not succeed.
    """
    from brickyard.context import AppContext
    from brickyard.runs import RunOptions, run_resource

    ctx = AppContext.create(output.value, local=local)
    run_resource(
        ctx,
        RunOptions(
            key=key,
            target=target,
            variables=var or [],
            profile=profile,
            params=params or [],
            notebook_params=[p for given in notebook_params or [] for p in given.split(",") if p],
            only=[t.strip() for t in (only or "").split(",") if t.strip()],
            no_wait=no_wait,
            full_refresh=full_refresh,
        ),
    )
