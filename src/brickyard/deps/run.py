"""The `brickyard deps …` verbs: find the project, read its settings, do one thing, report it."""

from __future__ import annotations

from pathlib import Path

from brickyard.context import AppContext
from brickyard.deps.check import check_project
from brickyard.deps.initscript import write_init_script
from brickyard.deps.layout import Layout, existing_layouts
from brickyard.deps.lock import lock_inputs, read_inputs
from brickyard.deps.runtimes import Runtime
from brickyard.deps.snapshot import Snapshot, cluster_snapshot, offline_snapshot
from brickyard.deps.uvcmd import IndexOptions
from brickyard.errors import BrickyardError, DepsError
from brickyard.settings import Settings, load_settings


def project(ctx: AppContext) -> Settings:
    """The settings of the project around the current directory (the bundle root)."""
    from brickyard.bundle.loader import find_root

    return load_settings(find_root(ctx.cwd, dict(ctx.environ)))


def settings_index(settings: Settings) -> IndexOptions:
    index = settings.deps.index
    root = settings.root
    return IndexOptions(
        index_url=index.index_url,
        extra_index_urls=tuple(index.extra_index_urls),
        find_links=tuple(
            str((root / link).resolve()) if "://" not in link else link for link in index.find_links
        ),
        no_index=index.no_index,
    )


def _layouts(settings: Settings, runtime: str | None) -> list[tuple[Layout, Runtime | None]]:
    chosen = runtime or None
    if chosen:
        parsed = Runtime.parse(chosen)
        return [(Layout.of(settings.root, settings.deps.directory, parsed), parsed)]
    found = existing_layouts(settings.root, settings.deps.directory)
    if found:
        return [(layout, None) for layout in found]
    if settings.deps.runtime:
        parsed = Runtime.parse(settings.deps.runtime)
        return [(Layout.of(settings.root, settings.deps.directory, parsed), parsed)]
    raise DepsError(
        "which runtime? pass --runtime (for example 15.4 or 16.4-ml) or set deps.runtime in brickyard.yml"
    )


def run_snapshot(
    ctx: AppContext, runtime: str | None, cluster_id: str | None, profile: str | None
) -> Snapshot:
    settings = project(ctx)
    spec = runtime or settings.deps.runtime
    if not spec:
        raise DepsError(
            "which runtime? pass --runtime (for example 15.4 or 16.4-ml) or set deps.runtime in brickyard.yml"
        )
    parsed = Runtime.parse(spec)
    if cluster_id:
        from databricks.sdk import WorkspaceClient

        try:
            client = WorkspaceClient(profile=profile) if profile else WorkspaceClient()
        except Exception as err:  # the SDK raises ValueError for missing or bad auth
            raise BrickyardError(f"cannot connect to the workspace: {err}") from None
        with ctx.output.progress(f"Listing the packages of runtime {parsed} on cluster {cluster_id}"):
            snapshot = cluster_snapshot(client, parsed, cluster_id)
    else:
        snapshot = offline_snapshot(parsed)
    layout = Layout.of(settings.root, settings.deps.directory, parsed)
    path = layout.path(layout.baseline)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(snapshot.render(), encoding="utf-8")
    ctx.output.success(
        f"wrote {layout.baseline}: {len(snapshot.pins)} packages of runtime {parsed} ({snapshot.source})"
    )
    ctx.output.result(
        {"runtime": str(parsed), "python": snapshot.python, "file": layout.baseline, "source": snapshot.source,
         "packages": len(snapshot.pins), "system": list(snapshot.system)},
        f"{layout.baseline}: {len(snapshot.pins)} packages",
    )  # fmt: skip
    return snapshot


def run_lock(ctx: AppContext, runtime: str | None, index: IndexOptions) -> list[dict[str, object]]:
    settings = project(ctx)
    options = settings_index(settings).merged(index)
    results = []
    for layout, parsed in _layouts(settings, runtime):
        inputs = read_inputs(layout, parsed)
        with ctx.output.progress(f"Resolving {layout.combined} for runtime {inputs.runtime}"):
            result = lock_inputs(inputs, options)
        state = "written" if result.changed else "unchanged"
        ctx.output.success(f"{result.lock}: {result.packages} packages pinned with hashes ({state})")
        results.append({"runtime": str(result.runtime), "lock": result.lock, "combined": result.combined,
                        "packages": result.packages, "changed": result.changed, "inputs": result.input_hash})  # fmt: skip
    ctx.output.result(results, "\n".join(f"{r['lock']}: {r['packages']} packages" for r in results))
    return results


def run_check(ctx: AppContext) -> None:
    settings = project(ctx)
    result = check_project(settings.root, settings.deps.directory)
    for problem in result.problems:
        ctx.output.warn(problem)
    text = (
        "\n".join(result.problems) if result.problems else "\n".join(f"{lock}: ok" for lock in result.checked)
    )
    ctx.output.result({"checked": result.checked, "problems": result.problems}, text)
    if result.problems:
        count = len(result.problems)
        raise DepsError(f"deps check failed: {count} problem{'s' if count != 1 else ''}")
    ctx.output.success("every lock matches its inputs and satisfies the project's wheel")


def run_init_script(ctx: AppContext) -> list[str]:
    settings = project(ctx)
    layouts = [layout for layout in existing_layouts(settings.root, settings.deps.directory)
               if layout.path(layout.lock).is_file()]  # fmt: skip
    if not layouts:
        raise DepsError(f"no lock in {settings.deps.directory}/; run `brickyard deps lock` first")
    written = []
    for layout in layouts:
        path, changed = write_init_script(layout, settings.deps.keep)
        ctx.output.success(f"{path} {'written' if changed else 'unchanged'} (enforces {layout.lock})")
        written.append(path)
    ctx.output.result({"scripts": written}, "\n".join(written))
    return written


def relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
