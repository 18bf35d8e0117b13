"""`brickyard dbt …`: dbt on the target's engine, and the dbt artifacts of local runs.

`brickyard dbt [OPTIONS] -- <dbt args>` is `brickyard dbt exec …`: the group falls back to `exec`
for anything that is not one of its own commands, so `brickyard dbt -t local -- build` reads as dbt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from brickyard.cli import options


class _DefaultExec(TyperGroup):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["exec", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    name="dbt",
    cls=_DefaultExec,
    help="Run dbt on the target's engine with a profile brickyard writes: "
    "brickyard dbt [-t TARGET] -- build.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


ProjectDir = Annotated[
    Path | None,
    typer.Option(
        "--project-dir",
        metavar="DIR",
        help="The dbt project (default: the one the bundle's dbt_tasks run).",
    ),
]
Warehouse = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        metavar="ID",
        help="SQL warehouse for a workspace target (default: the dbt_task's, else the first running).",
    ),
]


@app.command(
    "exec",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def exec_(
    ctx: typer.Context,
    target: options.Target = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    project_dir: ProjectDir = None,
    warehouse: Warehouse = None,
    slim: Annotated[
        bool,
        typer.Option(
            "--slim",
            help="Build only what changed since the release deployed on the target (state:modified+), "
            "deferring the rest to it.",
        ),
    ] = False,
) -> None:
    """Run dbt with the arguments after `--` (the default command: `brickyard dbt -- build`).

    The local workspace runs dbt on its engine; a target with a host runs dbt-databricks on a SQL
    warehouse with the target's credentials. The profile is written for this run only, in a private
    temporary folder. Exits with dbt's exit code.
    """
    from brickyard.context import AppContext
    from brickyard.dbt.run import DbtOptions, run_dbt

    app_ctx = AppContext.create("text", local=local)
    result = run_dbt(
        app_ctx,
        DbtOptions(
            args=list(ctx.args),
            target=target,
            variables=var or [],
            profile=profile,
            project_dir=project_dir,
            warehouse=warehouse,
            slim=slim,
        ),
    )
    if result.exception is not None:  # dbt could not run at all; it said nothing itself
        typer.echo(f"Error: dbt: {result.exception}", err=True)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


@app.command("lint")
def lint(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[PATH]...", help="Files or folders of the project (default: models)."),
    ] = None,
    target: options.Target = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    project_dir: ProjectDir = None,
    warehouse: Warehouse = None,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Lint the project's SQL with sqlfluff's dbt templater, compiled on the target's engine.

    The project's sqlfluff configuration chooses the rules (dialect: databricks unless it says
    otherwise). Exits with 1 when anything is found.
    """
    from brickyard.context import AppContext
    from brickyard.dbt.lint import lint_project
    from brickyard.dbt.run import DbtOptions, prepared
    from brickyard.errors import FindingsError

    ctx = AppContext.create(output.value, local=local)
    chosen = DbtOptions((), target, var or [], profile, project_dir, warehouse)
    with prepared(ctx, chosen) as (_target, call):
        found = lint_project(call, [ctx.cwd / p for p in paths or []])
    text = "\n".join(v.render() for v in found) or "No lint findings."
    ctx.output.result({"violations": [v.as_json() for v in found]}, text)
    if found:
        raise FindingsError(f"sqlfluff found {len(found)} violation(s)")


@app.command("artifacts")
def artifacts(
    run_id: Annotated[int, typer.Argument(metavar="RUN_ID", help="A job run (or task run) id.")],
    target: options.Target = None,
    var: options.Var = None,
    local: options.Local = False,
    directory: Annotated[
        Path | None,
        typer.Option("--dir", metavar="DIR", help="Where to write them (default: dbt-artifacts/<RUN_ID>)."),
    ] = None,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Write the dbt artifacts a local run kept (run_results.json, manifest.json, catalog.json) to DIR/<task>/."""
    from brickyard.context import AppContext
    from brickyard.dbt.artifacts import fetch_artifacts
    from brickyard.deploy.target import open_target
    from brickyard.errors import DbtError

    ctx = AppContext.create(output.value, local=local)
    opened = open_target(ctx, target, var or [])
    client = opened.client
    if opened.session.local_home is None:
        raise DbtError("dbt artifacts are kept by the local workspace; use a local target or --local")
    into = ctx.cwd / (directory or Path("dbt-artifacts") / str(run_id))
    found = fetch_artifacts(client, run_id, into)
    doc: dict[str, Any] = {"run_id": run_id, "dir": str(into), "tasks": [t.as_json() for t in found]}
    text = "\n".join(f"{t.task_key}: {len(t.files)} file(s) in {t.folder}" for t in found)
    ctx.output.result(doc, text)


@app.command("docs")
def docs(
    run_id: Annotated[
        int | None,
        typer.Argument(metavar="[RUN_ID]", help="A job run (default: the newest that ran a dbt task)."),
    ] = None,
    target: options.Target = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    task: Annotated[
        str | None, typer.Option("--task", metavar="KEY", help="The dbt task (default: the last with docs).")
    ] = None,
    port: Annotated[
        int,
        typer.Option("--port", metavar="N", min=0, max=65535, help="Port on 127.0.0.1 (0: any free one)."),
    ] = 8080,
    print_only: Annotated[
        bool, typer.Option("--print", help="Print where the docs are and exit, without serving them.")
    ] = False,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the docs in a browser.")] = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Serve the dbt docs a run's dbt task generated (`dbt docs generate` among its commands), on
    127.0.0.1 until Ctrl-C, or print their folder with --print."""
    from brickyard.context import AppContext
    from brickyard.dbt.docs import fetch_docs, newest_run_with_dbt, serve
    from brickyard.deploy.target import open_target
    from brickyard.runs.history import target_jobs

    ctx = AppContext.create(output.value, local=local)
    opened = open_target(ctx, target, var or [], profile)
    client = opened.client
    chosen = (
        run_id
        if run_id is not None
        else newest_run_with_dbt(client, list(target_jobs(ctx, opened, None).values()))
    )
    found = fetch_docs(client, chosen, opened.bundle.root, task)
    if print_only:
        doc = {**found.as_json(), "url": found.index.as_uri()}
        ctx.output.result(doc, f"{found.index}\n(serve it with `brickyard dbt docs {chosen}`)")
        return

    def ready(url: str) -> None:
        ctx.output.event(
            {**found.as_json(), "url": url}, f"dbt docs of run {chosen} ({found.task_key}): {url}"
        )
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    serve(found.folder, port, ready)
