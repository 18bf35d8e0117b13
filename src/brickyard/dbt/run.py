"""`brickyard dbt`: dbt on the target's engine, with a profile brickyard writes for that one run.

The local workspace runs dbt on its engine (dbt-spark's `session` method, the project's models,
seeds and snapshots defaulting to Delta, as on Databricks); a target with a host runs dbt-databricks
on one of its SQL warehouses. `target/` and `logs/` stay in the project, as plain `dbt` leaves
them. With `slim`, dbt builds only what changed since the release deployed on the target, and
defers everything else to what that release built (see `dbt.slim`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from brickyard.bundle import LoadOptions, load_bundle
from brickyard.bundle.model import Bundle
from brickyard.context import AppContext
from brickyard.dbt.invoke import DbtResult, invoke, require_dbt
from brickyard.dbt.profiles import SECRET_ENV, private_profiles, spark_session_output, with_delta_defaults
from brickyard.dbt.project import DbtProject, choose_project, dbt_work_dir
from brickyard.workspace.session import forced_local

if TYPE_CHECKING:
    from brickyard.deploy.target import Target


@dataclass(frozen=True)
class DbtOptions:
    args: Sequence[str]
    target: str | None = None
    variables: Sequence[str] = ()
    profile: str | None = None
    project_dir: Path | None = None
    warehouse: str | None = None
    slim: bool = False


@dataclass(frozen=True)
class Invocation:
    """Everything a dbt command on one target needs besides its arguments."""

    project: DbtProject
    local: bool
    profile_target: str
    """The output of the written profile that dbt runs with (the bundle target's name)."""
    profiles: Path
    environ: dict[str, str]
    run_dir: Path
    """The project dbt runs in: the project itself, or its Delta-by-default copy on the local engine."""

    def prepare(self, directory: Path) -> Path:
        """`directory` (another version of the project) ready to run as `run_dir` runs."""
        if not self.local:
            return directory
        return with_delta_defaults(directory, directory.parent / f"{directory.name}-delta")


def run_dbt(ctx: AppContext, options: DbtOptions) -> DbtResult:
    """What dbt returned: its exit code, and the exception when dbt itself could not run."""
    with prepared(ctx, options) as (target, call):
        args = list(options.args)
        if options.slim:
            from brickyard.dbt.slim import deployed_state

            with deployed_state(target, call, args) as slim:
                return invoke([*args, *slim], call.run_dir, call.profiles, call.environ)
        return invoke(args, call.run_dir, call.profiles, call.environ)


@contextmanager
def prepared(ctx: AppContext, options: DbtOptions) -> Iterator[tuple[Target, Invocation]]:
    """The target opened and its engine ready for dbt: the local engine's session, or a warehouse profile."""
    from brickyard.deploy.target import open_target

    require_dbt()
    if not _is_local(_offline_bundle(ctx, options), ctx):
        from brickyard.dbt.remote import require_adapter

        require_adapter()  # before anything contacts the workspace
    target = open_target(ctx, options.target, options.variables, options.profile)
    project = choose_project(
        target.bundle, None if options.project_dir is None else ctx.cwd / options.project_dir
    )
    client = target.client
    if target.session.local_home is None:
        with _remote(target, project, options.warehouse) as call:
            yield target, call
        return
    from brickyard.dbt.local import engine_session

    with _local(target.bundle, project) as call, engine_session(client, project.catalog) as (_spark, remote):
        call.environ[SECRET_ENV] = remote
        yield target, call


@contextmanager
def _local(bundle: Bundle, project: DbtProject) -> Iterator[Invocation]:
    copy = with_delta_defaults(project.directory, dbt_work_dir(bundle.root, project) / "project")
    outputs = {bundle.target: spark_session_output(project.schema or "default")}
    with private_profiles(project.profile, bundle.target, outputs) as profiles:
        env = {
            "DBT_TARGET_PATH": str(project.directory / "target"),
            "DBT_LOG_PATH": str(project.directory / "logs"),
        }
        yield Invocation(project, True, bundle.target, profiles, env, copy)


@contextmanager
def _remote(target: Target, project: DbtProject, warehouse: str | None) -> Iterator[Invocation]:
    from brickyard.dbt.remote import warehouse_output

    output, token = warehouse_output(target.client, project, warehouse)
    outputs = {target.bundle.target: output}
    with private_profiles(project.profile, target.bundle.target, outputs) as profiles:
        yield Invocation(
            project, False, target.bundle.target, profiles, {SECRET_ENV: token}, project.directory
        )


def _offline_bundle(ctx: AppContext, options: DbtOptions) -> Bundle:
    """The bundle loaded without contacting its workspace: enough to know where it points."""
    from brickyard.bundle.resolve import local_user

    return load_bundle(
        ctx.cwd,
        LoadOptions(
            target=options.target, variables=options.variables, environ=ctx.environ, current_user=local_user
        ),
    )


def _is_local(bundle: Bundle, ctx: AppContext) -> bool:
    return bundle.host is None or forced_local(ctx.environ)
