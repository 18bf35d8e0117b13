"""What `databricks bundle` fills in on its own, so the resolved configuration matches its output.

Workspace paths under the deploying user's home, git facts, top-level permissions and `run_as`
copied onto each resource, sync paths made relative to the bundle root, and job and pipeline
defaults (deployment metadata under the state path, `edit_mode`, `format`, `queue`, …).
"""

from __future__ import annotations

import posixpath
from pathlib import Path as FsPath

from brickyard.bundle.git import GitInfo
from brickyard.bundle.identity import CurrentUser
from brickyard.bundle.node import Node, ensure_map, format_path, from_plain, map_entries, set_default
from brickyard.errors import Diagnostic, Severity

DEFAULT_ROOT = "/Workspace/Users/${workspace.current_user.userName}/.bundle/${bundle.name}/${bundle.target}"
_SUBPATHS = {
    "file_path": "files",
    "artifact_path": "artifacts",
    "state_path": "state",
    "resource_path": "resources",
}
# Top-level permission levels, and what each means for a resource kind.
_LEVELS = {
    "jobs": {"CAN_MANAGE": "CAN_MANAGE", "CAN_VIEW": "CAN_VIEW", "CAN_RUN": "CAN_MANAGE_RUN"},
    "pipelines": {"CAN_MANAGE": "CAN_MANAGE", "CAN_VIEW": "CAN_VIEW", "CAN_RUN": "CAN_RUN"},
    "clusters": {"CAN_MANAGE": "CAN_MANAGE", "CAN_VIEW": "CAN_ATTACH_TO", "CAN_RUN": "CAN_RESTART"},
}
_PRINCIPALS = ("user_name", "group_name", "service_principal_name")


def git_section(config: Node, target: Node | None, git: GitInfo, root: FsPath) -> None:
    override = target.get("git") if target is not None else None
    if not git.is_repo and (override is None or not override.is_map):
        return
    section = ensure_map(config, ("bundle", "git"))
    if override is not None and override.is_map:
        for key, value in override.items():
            section.value[key] = value.copy()
    if not git.is_repo:
        return
    set_default(section, "branch", git.branch)
    section.value["actual_branch"] = from_plain(git.branch, section.loc)
    set_default(section, "commit", git.commit)
    if git.origin_url:
        set_default(section, "origin_url", git.origin_url)
    assert git.root is not None
    relative = root.resolve().relative_to(git.root.resolve()).as_posix()
    section.value["bundle_root_path"] = from_plain(relative or ".", section.loc)


def check_git_branch(config: Node, git: GitInfo, diags: list[Diagnostic]) -> None:
    """Production mode: the branch the bundle names; deploy enforces it (see releases.branches)."""
    bundle = config.get("bundle")
    section = bundle.get("git") if bundle is not None else None
    wanted = section.get("branch") if section is not None else None
    actual = git.branch
    if wanted is None or not wanted.value or not actual or wanted.value == actual:
        return
    diags.append(
        Diagnostic(
            Severity.WARNING,
            f"not on the right git branch: the target deploys from {wanted.value}, the checkout is on {actual}; "
            "deploy refuses it without --force",
            "bundle.git.branch",
            wanted.loc,
        )
    )


def workspace_paths(workspace: Node, user: CurrentUser) -> bool:
    """Fill root/file/artifact/state/resource paths; True when the user set root_path themselves."""
    workspace.value["current_user"] = from_plain(user.as_config(), workspace.loc)
    root = workspace.get("root_path")
    explicit = root is not None and bool(root.value)
    if not explicit:
        root = from_plain(DEFAULT_ROOT, workspace.loc)
        workspace.value["root_path"] = root
    assert root is not None
    root.value = _absolute(str(root.value), user)
    for key, sub in _SUBPATHS.items():
        node = set_default(workspace, key, "${workspace.root_path}/" + sub)
        node.value = _absolute(str(node.value), user)
    return explicit


def _absolute(path: str, user: CurrentUser) -> str:
    """`~/x` → `/Workspace/Users/<user>/x`; `/Users/…` → `/Workspace/Users/…`, as the CLI normalises."""
    if path.startswith("~"):
        path = f"/Workspace/Users/{user.user_name}" + path[1:]
    if path.startswith(("/Users/", "/Shared/")) or path in ("/Users", "/Shared"):
        path = "/Workspace" + path
    return path


def permissions_and_run_as(config: Node, diags: list[Diagnostic]) -> None:
    top = config.get("permissions")
    run_as = config.get("run_as")
    resources = config.get("resources")
    if top is not None and top.is_seq:
        for index, entry in enumerate(top.value):
            _check_permission(entry, ("permissions", index), diags)
    for kind, levels in _LEVELS.items():
        for _, resource in map_entries(resources, kind):
            if top is not None and top.is_seq and top.value:
                existing = set_default(resource, "permissions", [])
                for entry in top.value:
                    level = entry.get("level")
                    if level is not None and level.value in levels:
                        copy = entry.copy()
                        copy.value["level"] = Node(levels[level.value], level.loc)
                        existing.value.append(copy)
            if (
                kind == "jobs"
                and run_as is not None
                and run_as.is_map
                and run_as.value
                and resource.get("run_as") is None
            ):
                resource.value["run_as"] = run_as.copy()


def _check_permission(entry: Node, path: tuple[str | int, ...], diags: list[Diagnostic]) -> None:
    if not entry.is_map:
        return
    level = entry.get("level")
    if level is None or level.value not in ("CAN_MANAGE", "CAN_VIEW", "CAN_RUN"):
        diags.append(
            Diagnostic(
                Severity.ERROR,
                f"permission level must be CAN_MANAGE, CAN_VIEW or CAN_RUN, not {level.value if level else None!r}",
                format_path((*path, "level")),
                (level or entry).loc,
            )
        )
    named = [p for p in _PRINCIPALS if entry.get(p) is not None]
    if len(named) != 1:
        diags.append(
            Diagnostic(
                Severity.ERROR,
                "a permission names exactly one of user_name, group_name, service_principal_name",
                format_path(path),
                entry.loc,
            )
        )


def sync_paths(config: Node, root: FsPath) -> None:
    """Sync globs are written relative to their file; the resolved config has them relative to the root."""
    sync = ensure_map(config, ("sync",))
    for key in ("include", "exclude"):
        patterns = sync.get(key)
        if patterns is None or not patterns.is_seq:
            continue
        for pattern in patterns.value:
            if isinstance(pattern.value, str) and pattern.loc is not None:
                base = FsPath(pattern.loc.file).parent
                if base != FsPath("."):
                    pattern.value = posixpath.normpath((base / pattern.value).as_posix())
    set_default(sync, "paths", ["."])


def resource_defaults(config: Node) -> None:
    state_path = config.get("workspace").get("state_path")  # type: ignore[union-attr]
    metadata = f"{state_path.value}/metadata.json" if state_path is not None else ""
    resources = config.get("resources")
    for kind in ("jobs", "pipelines"):
        for _, resource in map_entries(resources, kind):
            set_default(resource, "deployment", {"kind": "BUNDLE", "metadata_file_path": metadata})
            set_default(resource, "permissions", [])
            if kind == "jobs":
                set_default(resource, "edit_mode", "UI_LOCKED")
                set_default(resource, "format", "MULTI_TASK")
                set_default(resource, "max_concurrent_runs", 1)
                set_default(resource, "queue", {"enabled": True})
