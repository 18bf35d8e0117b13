"""The commands' cores: which workspace, which folders, and the report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from brickyard.context import AppContext
from brickyard.sync.folders import SyncReport, pull, push
from brickyard.sync.record import SyncRecord

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class FolderSyncOptions:
    folder: Path
    remote: str | None = None
    target: str | None = None
    profile: str | None = None
    overwrite: bool = False
    dry_run: bool = False


def sync_folder(ctx: AppContext, direction: str, options: FolderSyncOptions) -> SyncReport:
    from brickyard.deploy.target import open_target

    target = open_target(ctx, options.target, (), options.profile)
    root, client = target.bundle.root, target.client
    folder = options.folder if options.folder.is_absolute() else ctx.cwd / options.folder
    remote = options.remote or default_remote(target.bundle.current_user.user_name, root, folder)
    remote = remote.rstrip("/")
    record = SyncRecord(root, remote, folder)
    if direction == "push":
        report = push(client, folder, remote, record, options.overwrite, options.dry_run)
    else:
        report = pull(client, remote, folder, record, options.overwrite, options.dry_run)
    verb = {"push": "Pushed", "pull": "Pulled"}[direction] if not options.dry_run else "Would sync"
    lines = [f"{verb} {len(report.written)} file(s) {'to' if direction == 'push' else 'from'} {remote}"]
    lines += [f"  {path}" for path in report.written]
    if report.remote_changes:
        lines.append(
            f"Edited in the workspace, left as they are (pull them): {', '.join(report.remote_changes)}"
        )
    ctx.output.result(report.as_json(), "\n".join(lines))
    return report


def default_remote(user_name: str, root: Path, folder: Path) -> str:
    """`/Users/<me>/<git branch>/<folder>`: each branch gets its own copy of the notebooks."""
    from brickyard.bundle.git import git_output

    # symbolic-ref, not rev-parse: it names the branch of a repository with no commit yet too
    branch = (git_output(root, "symbolic-ref", "--quiet", "--short", "HEAD") or "").strip() or "main"
    try:
        name = folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        name = folder.name
    return f"/Users/{user_name}/{branch}/{name}".rstrip("/")
