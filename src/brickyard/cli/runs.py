"""`brickyard runs [JOB]` and `brickyard runs sync`.

`runs` with anything but a subcommand's name is `runs show …`, so the history needs no verb.
"""

from __future__ import annotations

from typing import Annotated

import click
import typer
from typer.core import TyperGroup

from brickyard.cli import options


class _ShowByDefault(TyperGroup):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        helping = bool(args) and args[0] in ("-h", "--help")
        if not helping and (not args or args[0] not in self.commands):
            args = ["show", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    name="runs",
    cls=_ShowByDefault,
    help="The run history of the target's jobs and pipelines (`runs [JOB]`), `runs sync` to keep it "
    "locally, `runs watch` to follow runs live.",
    rich_markup_mode=None,
)

Job = Annotated[
    str | None,
    typer.Argument(metavar="[JOB]", help="A job's resource key (default: every deployed job)."),
]
Limit = Annotated[
    int, typer.Option("--limit", "-n", metavar="N", help="The newest N runs of each job.", min=1)
]
Window = Annotated[
    int,
    typer.Option(
        "--window", metavar="N", min=1, help="The newest run is compared with the median of the N before it."
    ),
]
Factor = Annotated[
    float,
    typer.Option("--factor", metavar="X", min=1.0, help="Slower than X times that median is a regression."),
]


@app.command("show")
def show(
    job: Job = None,
    target: options.Target = None,
    limit: Limit = 20,
    tasks: Annotated[bool, typer.Option("--tasks", help="Each run's tasks too.")] = False,
    window: Window = 10,
    factor: Factor = 1.5,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Show the target's job runs: state, start, duration, trigger; per job the success rate, the
    median and last durations, and whether the newest run is much slower than the ones before."""
    from brickyard.context import AppContext
    from brickyard.runs.history import TrendRule
    from brickyard.runs.report import RunsOptions, show_runs

    show_runs(
        AppContext.create(output.value, local=local),
        RunsOptions(job, target, profile, limit, tasks, TrendRule(window=window, factor=factor)),
    )


@app.command("sync")
def sync(
    job: Job = None,
    target: options.Target = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", metavar="N", min=1, help="Read the newest N runs of each job.")
    ] = 100,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Keep the target's job runs in the project (.brickyard/history.db), so that `runs` and
    `alerts check` still see them after the workspace has dropped them."""
    from brickyard.context import AppContext
    from brickyard.runs.report import RunsOptions, sync_runs

    sync_runs(AppContext.create(output.value, local=local), RunsOptions(job, target, profile, limit))


@app.command("watch")
def watch(
    job: Job = None,
    target: options.Target = None,
    interval: Annotated[
        float, typer.Option("--interval", metavar="S", min=0.1, help="Seconds between two looks.")
    ] = 2.0,
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="Stop once no run followed is in progress.")
    ] = False,
    timeout: Annotated[
        float | None, typer.Option("--timeout", metavar="S", min=0, help="Stop after S seconds.")
    ] = None,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Follow the target's job runs live: one line per change of a run's or a task's state (runs in
    progress when it starts and runs started since; `-o json`: one JSON object per line)."""
    from brickyard.context import AppContext
    from brickyard.runs.watch import WatchOptions, watch_runs

    watch_runs(
        AppContext.create(output.value, local=local),
        WatchOptions(job, target, profile, interval, until_idle, timeout),
    )
