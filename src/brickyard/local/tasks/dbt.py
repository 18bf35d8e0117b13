"""dbt_task: run the task's dbt commands with dbt-core against the local engine.

The project's own profile points at a Databricks workspace. The runner writes a profile of the
same name whose targets (the user's target names, with their schemas and threads) use dbt-spark's
`session` method over Spark Connect, so `dbt run --target prod` still finds its target. dbt runs
in this process and its queries use the worker's session, where the task's `catalog` (else the
catalog of the command's profile target) is the current catalog (dbt-spark itself knows only
two-level names). A profile's Jinja `schema` (`{{ var('dev_schema') }}`) is kept for dbt to render. dbt writes its `target/` and
logs to a temporary folder, not into the deployed project. A project whose profile targets Databricks,
or that has none (Databricks then runs it with dbt-databricks), gets dbt-databricks' defaults (Delta
tables and snapshots) and materializations on a temporary copy. Commands run in
order; the first that fails fails the task with the nodes that failed. `database:` in sources and
models names the catalog, as on Databricks (see `dbt_catalogs`).

dbt's console log is the task's output. What dbt leaves in `target/` (run_results.json,
manifest.json, catalog.json after `dbt docs generate`, sources.json) and its `dbt.log` are kept in
the task run's folder (`ARTIFACTS_DIR`), even when a command fails, for `brickyard dbt artifacts`,
`brickyard dbt docs` (`index.html` of `dbt docs generate`) and the run history (each command's
run_results.json as `run_results/<n>.json`). dbt's partial parse state is kept per project in the
workspace home (`cache/dbt/`), so a run after the first parses only what changed; dbt itself is
imported once, in the dbt fork server (`tasks.dbt_warm`).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from brickyard.dbt.profiles import with_delta_defaults
from brickyard.errors import TaskError
from brickyard.local.tasks.context import TaskContext
from brickyard.local.tasks.paths import require_workspace_source

DEFAULT_TARGET = "local"
PARTIAL_PARSE = "partial_parse.msgpack"
ARTIFACTS_DIR = "dbt-target"
"""The folder next to the task run's result that keeps its dbt artifacts."""
ARTIFACTS = (
    "run_results.json",
    "manifest.json",
    "catalog.json",
    "sources.json",
    "semantic_manifest.json",
    "index.html",
)


def run_dbt(ctx: TaskContext) -> None:
    settings = ctx.settings.get("dbt_task") or {}
    require_workspace_source(settings, "dbt_task")
    commands = [str(c) for c in settings.get("commands") or []]
    if not commands:
        raise TaskError("dbt_task needs at least one command")
    project = _project_dir(ctx, settings)
    profile_name = _project_profile(project)
    targets, default_target = _user_targets(ctx, settings, project, profile_name)
    warm = "dbt.cli.main" in sys.modules
    try:
        from dbt.cli.main import dbtRunner
    except ImportError as exc:
        raise TaskError("dbt_task needs dbt installed: pip install 'brickyard[dbt]'") from exc
    from brickyard.local.tasks import dbt_catalogs, dbt_columns

    if warm:
        print("brickyard: dbt was imported by the dbt worker's fork server (a warm worker)", flush=True)
    dbt_columns.install(ctx.spark)
    dbt_catalogs.install()
    os.environ.update({"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_USE_COLORS": "false"})
    work = Path(tempfile.mkdtemp(prefix="brickyard-dbt-"))
    parse_cache = _parse_cache(ctx, project, profile_name, default_target)
    try:
        if not targets or _is_databricks(targets, default_target):  # dbt-databricks on Databricks
            project = with_delta_defaults(project, work / "project")
        os.chdir(project)
        profiles = work / "profiles"
        profiles.mkdir()
        schema = str(settings.get("schema") or "")
        document = _profile(profile_name, targets, default_target, schema, ctx.request.spark_remote)
        (profiles / "profiles.yml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        os.environ.update(
            {
                "DBT_PROJECT_DIR": str(project),
                "DBT_PROFILES_DIR": str(profiles),
                "DBT_TARGET_PATH": str(work / "target"),
                "DBT_LOG_PATH": str(work / "logs"),
            }
        )
        kept = Path(ctx.request.result_file).parent / ARTIFACTS_DIR
        _restore_partial_parse(parse_cache, work / "target")
        try:
            for index, command in enumerate(commands):
                catalog = settings.get("catalog") or _profile_catalog(
                    targets, _target_of(command, default_target)
                )
                if catalog:
                    ctx.spark.catalog.setCurrentCatalog(str(catalog))
                (work / "target" / "run_results.json").unlink(missing_ok=True)
                result = dbtRunner().invoke(_argv(command))
                _keep_run_results(work, kept, index)
                if not result.success:
                    raise TaskError(_failure(command, result))
        finally:
            _keep_artifacts(work, kept)
            _save_partial_parse(work / "target", parse_cache)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _keep_artifacts(work: Path, into: Path) -> None:
    kept = [work / "target" / name for name in ARTIFACTS] + [work / "logs" / "dbt.log"]
    for path in (p for p in kept if p.is_file()):
        into.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, into / path.name)


def _parse_cache(ctx: TaskContext, project: Path, profile: str, target: str) -> Path:
    """Where this project's partial parse state is kept between runs (in the workspace home)."""
    key = hashlib.sha256(f"{project}\0{profile}\0{target}".encode()).hexdigest()[:24]
    return Path(ctx.request.metadata_db).parent / "cache" / "dbt" / key / PARTIAL_PARSE


def _restore_partial_parse(cache: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    if cache.is_file():
        shutil.copy2(cache, target / PARTIAL_PARSE)


def _save_partial_parse(target: Path, cache: Path) -> None:
    """Keep dbt's partial parse state for the next run (written whole, then renamed into place)."""
    state = target / PARTIAL_PARSE
    if not state.is_file():
        return
    try:
        cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        staged = cache.with_name(f".{PARTIAL_PARSE}.{os.getpid()}")
        shutil.copy2(state, staged)
        os.replace(staged, cache)
    except OSError:
        pass  # the next run parses in full


def _keep_run_results(work: Path, into: Path, index: int) -> None:
    """Each command's `run_results.json` as `run_results/<index>.json`: the next command replaces
    dbt's own, and the run history records every invocation."""
    results = work / "target" / "run_results.json"
    if results.is_file():
        (into / "run_results").mkdir(parents=True, exist_ok=True)
        shutil.copy2(results, into / "run_results" / f"{index}.json")


def _is_databricks(targets: dict[str, dict[str, Any]], default: str) -> bool:
    return str((targets.get(default) or {}).get("type", "")).lower() == "databricks"


def _project_dir(ctx: TaskContext, settings: dict[str, Any]) -> Path:
    directory = settings.get("project_directory")
    if not directory:
        raise TaskError("dbt_task needs project_directory (the workspace folder holding dbt_project.yml)")
    local = ctx.locations.any(str(directory))
    if not (local / "dbt_project.yml").is_file():
        raise TaskError(f"dbt_task project_directory {directory} has no dbt_project.yml")
    return local


def _project_profile(project: Path) -> str:
    doc = yaml.safe_load((project / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    return str(doc.get("profile") or doc.get("name") or "default")


def _user_targets(
    ctx: TaskContext, settings: dict[str, Any], project: Path, profile: str
) -> tuple[dict[str, dict[str, Any]], str]:
    """The user's targets for `profile` (names, schemas, threads), from profiles_directory or the project."""
    configured = settings.get("profiles_directory")
    if configured:
        folder = (
            ctx.locations.any(str(configured))
            if str(configured).startswith("/")
            else project / str(configured)
        )
    else:
        folder = project
    path = folder / "profiles.yml"
    if not path.is_file():
        return {}, DEFAULT_TARGET
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise TaskError(f"{path.name} in {configured or 'the dbt project'} is not valid YAML: {exc}") from exc
    entry = doc.get(profile) or {}
    outputs = entry.get("outputs") or {}
    default = str(entry.get("target") or next(iter(outputs), DEFAULT_TARGET))
    return {str(k): v for k, v in outputs.items() if isinstance(v, dict)}, default


def _profile(
    name: str, targets: dict[str, dict[str, Any]], default: str, schema: str, remote: str
) -> dict[str, Any]:
    outputs: dict[str, Any] = {}
    for target in {**targets, default: targets.get(default, {})}:
        user = targets.get(target, {})
        user_schema = user.get("schema")  # Jinja (`{{ var('dev_schema') }}`) is dbt's to render
        if not isinstance(user_schema, str) or not user_schema.strip():
            user_schema = None
        threads = user.get("threads")
        outputs[target] = {
            "type": "spark",
            "method": "session",
            "host": "localhost",
            "schema": schema or user_schema or "default",
            "threads": threads if isinstance(threads, int) and threads > 0 else 1,
            "server_side_parameters": {"spark.remote": remote},
        }
    return {name: {"target": default, "outputs": outputs}}


def _target_of(command: str, default: str) -> str:
    """The profile target a dbt command uses: its `--target`/`-t`, else the profile's default."""
    args = shlex.split(command)
    for index, arg in enumerate(args):
        if arg in ("--target", "-t") and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--target="):
            return arg.split("=", 1)[1]
    return default


def _profile_catalog(targets: dict[str, dict[str, Any]], target: str) -> str | None:
    """The catalog a dbt-databricks target names (`catalog:`): where its models go when the task
    sets none. Jinja there would need dbt's context, so such a catalog is left to the default."""
    catalog = targets.get(target, {}).get("catalog")
    if isinstance(catalog, str) and catalog.strip() and "{{" not in catalog:
        return catalog.strip()
    return None


def _argv(command: str) -> list[str]:
    args = shlex.split(command)
    if not args or args[0] != "dbt" or len(args) < 2:
        raise TaskError(f"dbt_task commands start with `dbt`: {command!r}")
    return _without_option(args[1:], "--profiles-dir")  # the user's points at Databricks


def _without_option(argv: list[str], option: str) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == option:
            skip = True
        elif not arg.startswith(option + "="):
            kept.append(arg)
    return kept


def _failure(command: str, result: Any) -> str:
    if result.exception is not None:
        return f"{command} failed: {result.exception}"
    lines = []
    for node in getattr(result.result, "results", None) or []:
        status = str(getattr(node, "status", ""))
        if status in ("error", "fail", "runtime error"):
            name = getattr(getattr(node, "node", None), "name", "?")
            lines.append(f"{name}: {status}: {getattr(node, 'message', '')}")
    summary = f"{command} failed" + (f": {len(lines)} node(s) did not succeed" if lines else "")
    return "\n".join([summary, *lines])
