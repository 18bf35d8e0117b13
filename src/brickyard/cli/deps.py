"""`brickyard deps …`: lock the runtime's packages plus the project's additions, and enforce the lock."""

from __future__ import annotations

from typing import Annotated

import typer

from brickyard.cli import options

app = typer.Typer(
    name="deps",
    help="Reproducible cluster environments: snapshot a runtime, lock on top of it, enforce the lock.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

Runtime = Annotated[
    str | None,
    typer.Option("--runtime", metavar="VERSION", help="Databricks runtime: 15.4, 16.4, 16.4-ml, 16.4-gpu."),
]
IndexUrl = Annotated[
    str | None, typer.Option("--index-url", metavar="URL", help="Package index to resolve from.")
]
ExtraIndexUrl = Annotated[
    list[str] | None, typer.Option("--extra-index-url", metavar="URL", help="Additional index (repeatable).")
]
FindLinks = Annotated[
    list[str] | None,
    typer.Option("--find-links", "-f", metavar="DIR|URL", help="Also look for wheels here (repeatable)."),
]
NoIndex = Annotated[bool, typer.Option("--no-index", help="Use only --find-links locations.")]
Offline = Annotated[
    bool, typer.Option("--offline", help="Never touch the network; use the uv cache and local wheels.")
]


@app.command("snapshot")
def snapshot(
    runtime: Runtime = None,
    cluster_id: Annotated[
        str | None,
        typer.Option(
            "--cluster-id", metavar="ID", help="Read the packages from this running cluster instead."
        ),
    ] = None,
    profile: options.Profile = None,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Record the packages a Databricks runtime ships in requirements/runtime-baseline[-ml|-gpu].in.

    Without --cluster-id, brickyard's own list for the runtime is used (taken from the runtime's
    release notes; shipped for 15.4 and 16.4). With --cluster-id, a one-off run on that cluster
    lists what is really installed.
    """
    from brickyard.context import AppContext
    from brickyard.deps.run import run_snapshot

    run_snapshot(AppContext.create(output.value), runtime, cluster_id, profile)


@app.command("lock")
def lock(
    runtime: Runtime = None,
    index_url: IndexUrl = None,
    extra_index_url: ExtraIndexUrl = None,
    find_links: FindLinks = None,
    no_index: NoIndex = False,
    offline: Offline = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Resolve the runtime baseline plus requirements/additional-packages*.in into a hashed lock.

    Writes requirements/requirements-combined*.in and requirements/requirements*.txt. Same inputs
    give the same file. A conflict between an addition and the runtime fails and names both sides.
    """
    from brickyard.context import AppContext
    from brickyard.deps.run import run_lock
    from brickyard.deps.uvcmd import IndexOptions

    index = IndexOptions(index_url, tuple(extra_index_url or ()), tuple(find_links or ()), no_index, offline)
    run_lock(AppContext.create(output.value), runtime, index)


@app.command("check")
def check(output: options.Output = options.OutputChoice.text) -> None:
    """Fail when a lock is stale against its inputs or does not satisfy the project's wheel."""
    from brickyard.context import AppContext
    from brickyard.deps.run import run_check

    run_check(AppContext.create(output.value))


@app.command("init-script")
def init_script(output: options.Output = options.OutputChoice.text) -> None:
    """Generate init/enforce-requirements*.sh: makes a cluster's Python match the lock at startup."""
    from brickyard.context import AppContext
    from brickyard.deps.run import run_init_script

    run_init_script(AppContext.create(output.value))


@app.command("wheelhouse")
def wheelhouse(
    directory: Annotated[
        str, typer.Option("--dir", metavar="DIR", help="Where to put the wheels.")
    ] = ".wheelhouse",
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Download the wheels of the lock's project pins, so the local workspace builds cluster
    environments offline (point it there with BRICKYARD_FIND_LINKS=DIR)."""
    from pathlib import Path

    from brickyard.bundle.loader import find_root
    from brickyard.context import AppContext
    from brickyard.deps.wheelhouse import fill_wheelhouse

    ctx = AppContext.create(output.value)
    root = find_root(ctx.cwd, dict(ctx.environ))
    target = Path(directory).resolve()
    pinned = fill_wheelhouse(root, target)
    ctx.output.result(
        {"directory": str(target), "wheels": pinned},
        f"{len(pinned)} wheel(s) in {target}: {', '.join(pinned) or 'none needed'}",
    )
