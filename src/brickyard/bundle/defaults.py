"""What `databricks bundle` fills in on its own, so the resolved configuration matches its output.

Workspace paths under the deploying user's home, git facts, top-level permissions and `run_as`
copied onto each resource, sync paths made relative to the bundle root, and job and pipeline
defaults (deployment metadata under the state path, `edit_mode`, `format`, `queue`, …).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
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
from brickyard.resources import Registry
from brickyard.resources.base import BundlePaths

DEFAULT_ROOT = "/Workspace/Users/${workspace.current_user.userName}/.bundle/${bundle.name}/${bundle.target}"
_SUBPATHS = {
    "file_path": "files",
    "artifact_path": "artifacts",
    "state_path": "state",
    "resource_path": "resources",
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
        configured = section.get("branch")
        if configured is None or not configured.value:
            # The CLI marks a branch it took from the checkout rather than from the configuration.
            section.value["inferred"] = from_plain(True, section.loc)
            if git.branch:
                section.value["branch"] = from_plain(git.branch, section.loc)
        if git.branch:
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
    """`~/x` → `/Workspace/Users/<user>/x`; any other absolute path outside `/Workspace` and
    `/Volumes` (`/Users/…`, `/Shared/…`, `/remote`) gets the `/Workspace` prefix, as the CLI adds it."""
    if path.startswith("~"):
        path = f"/Workspace/Users/{user.user_name}" + path[1:]
    if path.startswith("/") and not path.startswith(("/Workspace/", "/Volumes/")) and path != "/Workspace":
        path = "/Workspace" + path
    return path


# Levels from weakest to strongest, per kind: a principal named twice keeps its strongest.
_RANK = {
    level: rank
    for rank, level in enumerate(
        ("CAN_VIEW", "CAN_ATTACH_TO", "CAN_RUN", "CAN_MANAGE_RUN", "CAN_RESTART", "CAN_MANAGE", "IS_OWNER")
    )
}


def permissions_and_run_as(
    config: Node, user: CurrentUser, registry: Registry, diags: list[Diagnostic]
) -> None:
    """Top-level `permissions` and `run_as` copied onto the kinds that take them, as the CLI does."""
    from brickyard.bundle.run_as import apply_run_as

    apply_run_as(config, user, registry, diags)
    top = config.get("permissions")
    resources = config.get("resources")
    if top is not None and top.is_seq:
        for index, entry in enumerate(top.value):
            _check_permission(entry, ("permissions", index), diags)
    inherited = top.value if top is not None and top.is_seq else []
    for kind in registry:
        for _, resource in map_entries(resources, kind.name):
            if kind.inherits_permissions and inherited:
                _inherit_permissions(resource, inherited, kind.permission_levels, kind.name, diags)
            if kind.permission_type:
                _strongest_per_principal(resource, user, kind.deployer_level)
            listed = resource.get("permissions") if resource.is_map else None
            if listed is not None and listed.is_seq and not listed.value:
                del resource.value["permissions"]  # an empty list is no list, as the CLI reads it
    for _, model in map_entries(resources, "models"):  # legacy MLflow models: not deployed, resolved alike
        _strongest_per_principal(model, user, "CAN_MANAGE")


def _inherit_permissions(
    resource: Node, inherited: list[Node], levels: Mapping[str, str], kind: str, diags: list[Diagnostic]
) -> None:
    """The top-level entries a resource takes; a principal it names itself keeps its own level."""
    existing = set_default(resource, "permissions", [])
    named = {p for entry in map_items(existing) if (p := _principal(entry))}
    for entry in inherited:
        level = entry.get("level")
        if level is None or level.value not in levels:
            continue
        who = _principal(entry)
        if who in named:
            assert who is not None
            label = {"user_name": "user name", "group_name": "group"}.get(who[0], "service principal name")
            diags.append(
                Diagnostic(Severity.WARNING, f"'{kind}' already has permissions set for '{who[1]}' {label}")
            )
            continue
        copy = entry.copy()
        copy.value["level"] = Node(levels[level.value], level.loc)
        existing.value.append(copy)


def _principal(entry: Node) -> tuple[str, str] | None:
    for key in _PRINCIPALS:
        node = entry.get(key) if entry.is_map else None
        if node is not None and node.value:
            return key, str(node.value)
    return None


def _strongest_per_principal(resource: Node, deployer: CurrentUser, deployer_level: str) -> None:
    """One entry per principal, the strongest level kept; the deploying user gets the kind's own
    level (`Kind.deployer_level`) when the resource lists any permissions."""
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
    if deployer_level:
        # The deploying identity, however it is written: a service principal's application id
        # given as a user_name names the same principal.
        key = "service_principal_name" if deployer.is_service_principal else "user_name"
        me = next(
            (i for (k, name), i in seen.items() if name == deployer.user_name and k != "group_name"), None
        )
        owners = [e for i, e in enumerate(out) if i != me and _level_of(e) == "IS_OWNER"]
        wanted = "CAN_MANAGE" if deployer_level == "IS_OWNER" and owners else deployer_level
        if me is None:
            out.append(from_plain({"level": wanted, key: deployer.user_name}, entries.loc))
        else:
            level = max(_level_of(out[me]), wanted, key=lambda name: _RANK.get(name, -1))
            if (level, _principal(out[me])) != (_level_of(out[me]), (key, deployer.user_name)):
                out[me] = from_plain({"level": level, key: deployer.user_name}, out[me].loc)
    entries.value = out


def _level_of(entry: Node) -> str:
    level = entry.get("level") if entry.is_map else None
    return str(level.value) if level is not None else ""


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


def resource_defaults(config: Node, registry: Registry) -> None:
    """What the CLI writes into each resource that leaves it out, once paths are translated."""
    workspace = config.get("workspace")
    state_path = workspace.get("state_path") if workspace is not None else None
    resource_path = workspace.get("resource_path") if workspace is not None else None
    paths = BundlePaths(
        metadata_file=f"{state_path.value}/metadata.json" if state_path is not None else "",
        resource_path=str(resource_path.value) if resource_path is not None else "",
    )
    for kind in registry:
        for _, resource in map_entries(config.get("resources"), kind.name):
            kind.fill_defaults(resource, paths)


def resource_shapes(config: Node, development: bool, registry: Registry) -> None:
    """After references resolve: keys of keyed lists written back, lists in the CLI's order, and
    the defaults development mode gives."""
    for kind in registry:
        for _, resource in map_entries(config.get("resources"), kind.name):
            kind.shape(resource, development)


def bundle_defaults(config: Node, registry: Registry) -> None:
    """The defaults the CLI writes into each resource that leaves them out, before paths are
    translated: a configuration printed after a path error already has them."""
    for kind in registry:
        for _, resource in map_entries(config.get("resources"), kind.name):
            kind.apply_bundle_defaults(resource)


ALERT_YAML_FIELDS = ("warehouse_id", "display_name", "file_path", "permissions", "lifecycle")
"""What an alert kept in a `.dbalert.json` may still set in the bundle: everything else is the file's."""


def alert_definitions(config: Node, sources: Mapping[str, FsPath], diags: list[Diagnostic]) -> None:
    """An alert kept in a `.dbalert.json` file (`file_path`) is the file's definition (its query and
    description may be written as lists of lines) with the bundle's own name, warehouse and
    permissions, so that validate checks the alert deploy will send."""
    import json

    for key, alert in map_entries(config.get("resources"), "alerts"):
        path = alert.get("file_path")
        local = sources.get(path.value) if path is not None and isinstance(path.value, str) else None
        if local is None:
            continue
        where = f"resources.alerts.{key}"
        # (`run_as` may be the bundle's own, copied onto the alert: that is no second definition)
        doubled = [
            k for k, v in alert.items() if k not in (*ALERT_YAML_FIELDS, "run_as") and v.value is not None
        ]
        if doubled:
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    f"field {doubled[0]} is not allowed in the bundle configuration.",
                    f"{where}.{doubled[0]}",
                    alert.value[doubled[0]].loc,
                    detail="When a .dbalert.json is specified, only the following fields are allowed in the "
                    "bundle configuration: " + ", ".join(ALERT_YAML_FIELDS),
                )
            )
            continue
        try:
            definition = json.loads(local.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            definition, problem = None, getattr(err, "strerror", None) or str(err)
        else:
            problem = "it must hold a JSON object"
        if not isinstance(definition, dict):
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    f"failed to read alert file {local.name}: {problem}",
                    f"{where}.file_path",
                    path.loc if path is not None else None,
                )
            )
            continue
        for lines, field in (
            ("query_lines", "query_text"),
            ("custom_description_lines", "custom_description"),
        ):
            if isinstance(written := definition.pop(lines, None), list) and written:
                definition[field] = "".join(f"{line}\n" for line in written)
        for name, value in definition.items():
            if name not in alert.value:
                alert.value[name] = from_plain(value, None)


def serving_endpoint_fixups(config: Node, diags: list[Diagnostic]) -> None:
    """Model serving endpoints as the CLI sends them: `served_models` (the older spelling) become
    `served_entities` with a warning, never both; each served entity has a `workload_size` (the
    service's own default, `Small`, written out so that deploy compares like with like)."""
    for _, endpoint in map_entries(config.get("resources"), "model_serving_endpoints"):
        settings = endpoint.get("config")
        if settings is None or not settings.is_map:
            continue
        models, entities = settings.get("served_models"), settings.get("served_entities")
        if models is not None and models.value and entities is not None and entities.value:
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    "Cannot use both served_models and served_entities",
                    location=endpoint.loc,
                    detail="Model serving endpoint cannot specify both served_models and served_entities at "
                    "the same time.",
                )
            )
            continue
        if models is not None and models.is_seq and models.value:
            diags.append(
                Diagnostic(
                    Severity.WARNING,
                    "Using served_models is deprecated",
                    location=models.loc,
                    detail="The served_models field is deprecated. Please use served_entities instead.",
                )
            )
            renames = {"model_name": "entity_name", "model_version": "entity_version"}
            settings.value["served_entities"] = Node(
                [Node({renames.get(k, k): v for k, v in m.value.items()}, m.loc) for m in map_items(models)],
                models.loc,
            )
            del settings.value["served_models"]
        for entity in map_items(settings.get("served_entities")):
            set_default(entity, "workload_size", "Small")


def genie_space_files(config: Node, root: FsPath, diags: list[Diagnostic]) -> None:
    """A Genie space's definition comes inline (`serialized_space`) or from a file (`file_path`),
    never both; the file's text becomes its `serialized_space`, as the CLI reads it."""
    for key, space in map_entries(config.get("resources"), "genie_spaces"):
        path, inline = space.get("file_path"), space.get("serialized_space")
        if path is None or not isinstance(path.value, str) or not path.value:
            continue
        if inline is not None and inline.value not in (None, ""):
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    "both file_path and serialized_space are set; specify only one",
                    location=inline.loc,
                )
            )
            continue
        # relative to the YAML file that names it (resources written in Python: to the bundle root)
        yaml_file = path.loc is not None and not path.loc.file.endswith(".py")
        written_in = FsPath(path.loc.file).parent if yaml_file and path.loc is not None else FsPath()
        local = root / written_in / path.value
        try:
            text = local.read_text(encoding="utf-8")
        except OSError as err:
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    f"failed to read serialized space from {path.value}: {err.strerror or err}",
                    f"resources.genie_spaces.{key}.file_path",
                    path.loc,
                )
            )
            continue
        space.value["serialized_space"] = Node(text, path.loc)
