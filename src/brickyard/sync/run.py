"""The commands' cores: which workspace, which folders, and the report."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from brickyard.context import AppContext
from brickyard.sync.folders import SyncReport, pull, push
from brickyard.sync.record import SyncRecord

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient


@dataclass(frozen=True)
class FolderSyncOptions:
    folder: Path
    remote: str | None = None
    target: str | None = None
    profile: str | None = None
    overwrite: bool = False
    dry_run: bool = False


def sync_folder(ctx: AppContext, direction: str, options: FolderSyncOptions) -> SyncReport:
    root, client = _workspace(ctx, options.target, options.profile)
    folder = options.folder if options.folder.is_absolute() else ctx.cwd / options.folder
    remote = (options.remote or default_remote(client, root, folder)).rstrip("/")
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


def default_remote(client: WorkspaceClient, root: Path, folder: Path) -> str:
    """`/Users/<me>/<git branch>/<folder>`: each branch gets its own copy of the notebooks."""
    me = client.current_user.me().user_name
    branch = _branch(root) or "main"
    try:
        name = folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        name = folder.name
    return f"/Users/{me}/{branch}/{name}".rstrip("/")


def _branch(root: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "symbolic-ref", "--quiet", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    name = done.stdout.strip()
    return name if done.returncode == 0 and name and name != "HEAD" else None


def _workspace(ctx: AppContext, target: str | None, profile: str | None) -> tuple[Path, WorkspaceClient]:
    from brickyard.bundle import LoadOptions, load_bundle
    from brickyard.bundle.loader import find_root
    from brickyard.workspace.session import WorkspaceSession

    root = find_root(ctx.cwd, dict(ctx.environ))
    session = WorkspaceSession(root, profile=profile, environ=ctx.environ)
    bundle = load_bundle(
        ctx.cwd,
        LoadOptions(target=target, environ=ctx.environ, current_user=session.current_user),
    )
    return bundle.root, session.client(bundle.host, bundle.profile)
