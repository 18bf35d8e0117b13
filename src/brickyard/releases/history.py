"""`brickyard releases`: the release history of a target."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from brickyard.context import AppContext
from brickyard.deploy.target import open_target
from brickyard.releases.model import ReleaseSummary
from brickyard.releases.store import ReleaseStore


def list_releases(
    ctx: AppContext, target_name: str | None, variables: Sequence[str] = (), profile: str | None = None
) -> list[ReleaseSummary]:
    target = open_target(ctx, target_name, variables, profile)
    index = ReleaseStore(target.client, target.store.state_path).index()
    doc = {
        "bundle": target.bundle.name,
        "target": target.bundle.target,
        "releases": [r.model_dump(mode="json") for r in index.releases],
    }
    ctx.output.result(doc, lambda console: _render(console, index.releases, target.bundle.target))
    return index.releases


def describe_origin(release: ReleaseSummary) -> str:
    if release.kind == "rollback" and release.source is not None:
        return f"rollback to {release.source.release}"
    if release.kind == "promote" and release.source is not None:
        return f"from {release.source.target} #{release.source.release}"
    return "deploy"


def _changes(release: ReleaseSummary) -> str:
    c: dict[str, Any] = release.changes
    parts = [f"{len(c.get(key) or [])} {key}" for key in ("created", "updated", "deleted") if c.get(key)]
    if c.get("files_uploaded"):
        parts.append(f"{c['files_uploaded']} file(s)")
    if c.get("artifacts_uploaded"):
        parts.append(f"{c['artifacts_uploaded']} artifact(s)")
    return ", ".join(parts) or "-"


def _render(console: Any, releases: list[ReleaseSummary], target: str) -> None:
    from rich.table import Table
    from rich.text import Text

    if not releases:
        console.print(Text(f"No releases on {target} yet."))
        return
    table = Table("#", "when", "who", "git", "what", "changes", box=None, pad_edge=False)
    for r in releases:
        git = ", ".join([*r.git.tags, r.git.branch]) or "-"
        commit = r.git.commit[:10] if r.git.commit else "-"
        table.add_row(
            *(
                Text(v)
                for v in (
                    str(r.number),
                    r.created_at,
                    r.created_by,
                    f"{commit} {git}",
                    describe_origin(r),
                    _changes(r),
                )
            )
        )
    console.print(table)
