"""What `databricks bundle` fills in on its own, so the resolved configuration matches its output.

Workspace paths under the deploying user's home, git facts, top-level permissions and `run_as`
copied onto each resource, sync paths made relative to the bundle root, and job and pipeline
defaults (deployment metadata under the state path, `edit_mode`, `format`, `queue`, …).
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path as FsPath

from brickyard.bundle.git import GitInfo
from brickyard.bundle.identity import CurrentUser
from brickyard.bundle.node import (
    Node,
    ensure_map,
    format_path,
    from_plain,
    map_entries,
    map_items,
    set_default,
)
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
    """`bundle.git`: always there, with `bundle_root_path` "." outside a checkout; an empty branch is left out."""
    override = target.get("git") if target is not None else None
    section = ensure_map(config, ("bundle", "git"))
    if override is not None and override.is_map:
        for key, value in override.items():
            section.value[key] = value.copy()
    if git.is_repo:
        if git.branch:
            set_default(section, "branch", git.branch)
            section.value["actual_branch"] = from_plain(git.branch, section.loc)
        if git.commit:
            set_default(section, "commit", git.commit)
        if git.origin_url:
            set_default(section, "origin_url", git.origin_url)
        assert git.root is not None
        relative = root.resolve().relative_to(git.root.resolve()).as_posix()
        section.value["bundle_root_path"] = from_plain(relative or ".", section.loc)
    else:
        section.value["bundle_root_path"] = from_plain(".", section.loc)
    branch = section.get("branch")
    if branch is not None and not branch.value:
        del section.value["branch"]


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


# Levels from weakest to strongest, per kind: a principal named twice keeps its strongest.
_RANK = {
    level: rank
    for rank, level in enumerate(
        ("CAN_VIEW", "CAN_ATTACH_TO", "CAN_RUN", "CAN_MANAGE_RUN", "CAN_RESTART", "CAN_MANAGE", "IS_OWNER")
    )
}
_OWNED_KINDS = ("jobs", "pipelines")


def permissions_and_run_as(config: Node, user: CurrentUser, diags: list[Diagnostic]) -> None:
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
                named = {p for entry in map_items(existing) if (p := _principal(entry))}
                for entry in top.value:
                    level = entry.get("level")
                    if level is not None and level.value in levels and _principal(entry) not in named:
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
    for kind in _LEVELS:
        for _, resource in map_entries(resources, kind):
            _strongest_per_principal(resource, user if kind in _OWNED_KINDS else None)


def _principal(entry: Node) -> tuple[str, str] | None:
    for key in _PRINCIPALS:
        node = entry.get(key) if entry.is_map else None
        if node is not None and node.value:
            return key, str(node.value)
    return None


def _strongest_per_principal(resource: Node, owner: CurrentUser | None) -> None:
    """One entry per principal, the strongest level kept; the deploying user owns jobs and pipelines."""
    entries = resource.get("permissions")
    if entries is None or not entries.is_seq or not entries.value:
        return
    out: list[Node] = []
    seen: dict[tuple[str, str], int] = {}
    for entry in entries.value:
        who = _principal(entry)
        level = entry.get("level") if entry.is_map else None
        if who is None or level is None:
            out.append(entry)
            continue
        if who in seen:
            kept = out[seen[who]].get("level")
            if kept is not None and _RANK.get(str(level.value), -1) > _RANK.get(str(kept.value), -1):
                out[seen[who]] = entry
            continue
        seen[who] = len(out)
        out.append(entry)
    if owner is not None and not any(
        (lvl := e.get("level")) is not None and lvl.value == "IS_OWNER" for e in out if e.is_map
    ):
        key = "service_principal_name" if owner.is_service_principal else "user_name"
        me = seen.get((key, owner.user_name))
        if me is not None:
            out[me] = out[me].copy()
            out[me].value["level"] = Node("IS_OWNER", entries.loc)
        else:
            out.append(from_plain({"level": "IS_OWNER", key: owner.user_name}, entries.loc))
    entries.value = out


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
    resource_path = config.get("workspace").get("resource_path")  # type: ignore[union-attr]
    metadata = f"{state_path.value}/metadata.json" if state_path is not None else ""
    resources = config.get("resources")
    for kind in ("jobs", "pipelines"):
        for _, resource in map_entries(resources, kind):
            set_default(resource, "deployment", {"kind": "BUNDLE", "metadata_file_path": metadata})
            if kind == "jobs":
                set_default(resource, "edit_mode", "UI_LOCKED")
                set_default(resource, "format", "MULTI_TASK")
                set_default(resource, "max_concurrent_runs", 1)
                set_default(resource, "queue", {"enabled": True})
                name = resource.get("name")
                if name is None or name.value in (None, ""):
                    resource.value["name"] = from_plain("Untitled", resource.loc)
            else:
                set_default(resource, "edition", "ADVANCED")
                set_default(resource, "channel", "CURRENT")
    for _, volume in map_entries(resources, "volumes"):
        set_default(volume, "volume_type", "MANAGED")
    parent = str(resource_path.value) if resource_path is not None else ""
    for kind in ("dashboards", "genie_spaces"):
        for _, resource in map_entries(resources, kind):
            if parent:
                set_default(resource, "parent_path", parent)
            set_default(resource, "embed_credentials", False)
            space = resource.get("serialized_space")
            if space is not None and not space.is_scalar:
                space.value = json.dumps(space.plain(), separators=(",", ":"))
    for _, endpoint in map_entries(resources, "model_serving_endpoints"):
        _served_entities(endpoint)


def _served_entities(endpoint: Node) -> None:
    """`served_models` is the older spelling of `served_entities`; the CLI reports the newer."""
    config = endpoint.get("config")
    models = config.get("served_models") if config is not None and config.is_map else None
    if config is None or models is None or not models.is_seq:
        return
    entities = set_default(config, "served_entities", [])
    renames = {"model_name": "entity_name", "model_version": "entity_version"}
    for model in models.value:
        if model.is_map:
            entities.value.append(Node({renames.get(k, k): v for k, v in model.value.items()}, model.loc))
    del config.value["served_models"]


def resource_shapes(config: Node, development: bool) -> None:
    """After references resolve: keys of keyed lists written back, tasks in `task_key` order, and
    the defaults development mode gives all-purpose clusters."""
    resources = config.get("resources")
    for _, job in map_entries(resources, "jobs"):
        tasks = job.get("tasks")
        if tasks is not None and tasks.is_seq:
            for task in tasks.value:
                if task.is_map:
                    set_default(task, "task_key", "")
            tasks.value.sort(key=_task_key)
    for _, pipeline in map_entries(resources, "pipelines"):
        for cluster in map_items(pipeline.get("clusters")):
            if cluster.get("label") is None:
                cluster.value["label"] = from_plain("default", cluster.loc)
    if development:
        for _, cluster in map_entries(resources, "clusters"):
            set_default(cluster, "autotermination_minutes", 60)


def _task_key(task: Node) -> str:
    key = task.get("task_key") if task.is_map else None
    return str(key.value) if key is not None and key.value is not None else ""
