"""Where each verb module is attached to the root command, in the order `--help` lists them.

The verbs are loaded lazily: `brickyard --help` lists them from the summaries below without
importing a single verb module, and `brickyard validate` imports and builds only `validate`.
Building every command up front (typer inspects each function's signature and evaluates its type
hints) cost more than the rest of `--help` together. `tests/cli/test_commands.py` checks that each
summary is still the first paragraph of its command's help.
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

import click


class Verb(NamedTuple):  # a NamedTuple: a frozen dataclass costs every start a millisecond or two
    module: str
    """The module under `brickyard.cli`."""
    summary: str
    """The first paragraph of the command's help, for the root's command list."""
    group: bool = False
    """The module holds a typer app (`app`) of subcommands rather than one function."""
    settings: dict[str, Any] | None = None
    """click context settings of a single command."""


VERBS: dict[str, Verb] = {
    "init": Verb(
        "init",
        "Create a new project from a template, ready to validate, deploy and run on the local workspace.",
    ),
    "validate": Verb(
        "validate",
        "Validate the bundle offline: schema, references, paths, task graph, mode rules and secrets.",
    ),
    "plan": Verb(
        "plan", "Show what a deploy would change, per resource and per file, without changing anything."
    ),
    "deploy": Verb("deploy", "Build artifacts, sync files and apply resources to the target's workspace."),
    "run": Verb("run", "Run a deployed job or pipeline, show live progress and each task's result."),
    "test": Verb(
        "test",
        "Run the project's tests by layer: unit (pure Python), integration (local Spark), smoke (deployed jobs).",
        settings={"allow_extra_args": True, "ignore_unknown_options": True},
    ),
    "summary": Verb("summary", "List the deployed resources of the target with their ids and links."),
    "destroy": Verb(
        "destroy", "Delete everything this bundle deployed to the target, as its deployment state lists it."
    ),
    "releases": Verb(
        "releases", "List the releases deployed to a target: number, time, who, git ref, what changed."
    ),
    "rollback": Verb(
        "rollback",
        "Redeploy a previous release exactly (its files, artifacts and settings), recorded as a new release.",
    ),
    "promote": Verb(
        "promote",
        "Deploy exactly the files and artifacts of a release of one target to another, "
        "with that target's configuration.",
    ),
    "rollback-drill": Verb(
        "rollback_drill",
        "Rehearse a rollback on a sandbox target: deploy, roll back, smoke test, roll forward, smoke test.",
    ),
    "drift": Verb(
        "drift",
        "Report what changed in the workspace since brickyard deployed it, and what the bundle would change.",
    ),
    "check": Verb(
        "check",
        "Profile the declared tables on the target and fail (exit 1) with a table of the checks that broke.",
    ),
    "backup": Verb(
        "backup",
        "Back up Delta tables: each at one version, its data files and schema, copied incrementally.",
    ),
    "restore": Verb(
        "restore",
        "Recreate tables at their backed-up version, verify row counts and checksums, then register them.",
    ),
    "metrics": Verb(
        "metrics",
        "Show the target workspace's metrics: runs by job and result, run and task durations, requests.",
    ),
    "ui": Verb("ui", "Open the local workspace's web UI in a browser with a one-time sign-in link."),
    "release": Verb("release", "Release lines in git: cut a release branch and its first tag.", group=True),
    "jobs": Verb(
        "jobs",
        "Keep deployed job definitions in git and put them back after UI edits or deletions.",
        group=True,
    ),
    "runs": Verb(
        "runs",
        "The run history of the target's jobs and pipelines (`runs [JOB]`), `runs sync` to keep it "
        "locally, `runs watch` to follow runs live.",
        group=True,
    ),
    "alerts": Verb(
        "alerts",
        "Alert rules of brickyard.yml (failed runs, slower runs, expectation failures, volume drops).",
        group=True,
    ),
    "local": Verb(
        "local",
        "Run the embedded local workspace: the Databricks REST API on 127.0.0.1, for this project.",
        group=True,
    ),
    "deps": Verb(
        "deps",
        "Reproducible cluster environments: snapshot a runtime, lock on top of it, enforce the lock.",
        group=True,
    ),
    "scan": Verb(
        "scan",
        "Security and compliance gates: deps, licenses, secrets, policy, or all of them (the default).",
        group=True,
    ),
    "sync": Verb(
        "sync",
        "Sync the bundle's files to the target (push/pull: notebook folders to and from the workspace).",
        group=True,
    ),
    "catalog": Verb(
        "catalog",
        "Export Unity Catalog metadata (catalogs, schemas, tables, volumes, functions, grants) and apply it.",
        group=True,
    ),
    "dr": Verb("dr", "Disaster recovery: rehearse restores, write the runbook, list backups.", group=True),
    "secrets": Verb(
        "secrets",
        "Secret values per target: read from the backend brickyard.yml names, put into the scopes.",
        group=True,
    ),
    "dbt": Verb(
        "dbt",
        "Run dbt on the target's engine with a profile brickyard writes: brickyard dbt [-t TARGET] -- build.",
        group=True,
    ),
}


def build(name: str) -> click.Command:
    """The click command of one verb, built by typer exactly as a root holding only it would build it."""
    import typer  # only verbs are typer commands: the root and its help need click alone

    verb = VERBS[name]
    module = importlib.import_module(f"brickyard.cli.{verb.module}")
    root = typer.Typer(rich_markup_mode=None, add_completion=False)
    root.callback()(_nothing)
    if verb.group:
        root.add_typer(module.app, name=name)
    else:
        root.command(name, context_settings=verb.settings)(getattr(module, verb.module))
    return typer.main.get_group(root).commands[name]


def _nothing() -> None:
    pass


class LazyVerbs(click.Group):
    """The root group: verbs are built on first use, listed in `--help` from their summaries.

    A plain click group, so that `brickyard --help` does not import typer (a fifth of its time);
    it behaves as the typer group it replaces: Ctrl-C in a verb ends the command with exit code 130.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise click.exceptions.Exit(130) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*VERBS, *(name for name in self.commands if name not in VERBS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in VERBS:
            self.commands[cmd_name] = build(cmd_name)
        return self.commands.get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return click.Group.resolve_command(self, ctx, args)
        except click.UsageError as err:  # a typo: suggest from every verb's name, loaded or not
            from difflib import get_close_matches

            matches = get_close_matches(args[0], list(VERBS)) if args else []
            if matches:
                suggestions = ", ".join(f"{m!r}" for m in matches)
                raise click.UsageError(
                    f"{err.message.rstrip('.')}. Did you mean {suggestions}?", err.ctx
                ) from None
            raise

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            (name, self.commands.get(name) or click.Command(name, help=VERBS[name].summary)) for name in VERBS
        ]
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section("Commands"):
            formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in rows])
