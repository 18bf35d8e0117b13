"""What `databricks bundle` refuses or warns about for a target's mode, checked on the resolved
configuration so that nothing is deployed from a bundle it would not deploy.

- development: a trigger pause preset of UNPAUSED, and workspace paths that do not hold the
  current user (two developers would overwrite each other's copy);
- any mode but development: overriding compute (`cluster_id` / `compute_id`, `--cluster-id`);
- production: a root path that is not explicit is only a recommendation when jobs run as a
  principal (the error itself is in `mode.check_production`);
- every mode: a root path in /Workspace/Shared that the permissions do not declare writable by
  all users, and top-level permissions that leave the deploying identity out.

The messages are the CLI's, so a search for one finds the same advice.
"""

from __future__ import annotations

from brickyard.bundle.identity import CurrentUser
from brickyard.bundle.node import Node, map_items
from brickyard.errors import Diagnostic, Severity

DEV = "'mode: development'"
_PATH_KEYS = ("root_path", "file_path", "resource_path", "artifact_path", "state_path")


def check_development(root: Node, user: CurrentUser, diags: list[Diagnostic]) -> None:
    presets = root.get("presets")
    pause = presets.get("trigger_pause_status") if presets is not None and presets.is_map else None
    if pause is not None and pause.value == "UNPAUSED":
        diags.append(
            Diagnostic(
                Severity.ERROR,
                f"target with {DEV} cannot set trigger pause status to UNPAUSED by default",
                "presets.trigger_pause_status",
                pause.loc,
            )
        )
    workspace = root.get("workspace")
    if workspace is None or not workspace.is_map:
        return
    for key in _PATH_KEYS:
        node = workspace.get(key)
        if node is None or not isinstance(node.value, str) or not node.value:
            continue
        if user.user_name in node.value or user.short_name in node.value:
            continue
        if key == "artifact_path" and node.value.startswith("/Volumes"):
            summary = (
                f"{key} should contain the current username or ${{workspace.current_user.short_name}} "
                f"to ensure uniqueness when using {DEV}"
            )
        else:
            summary = f"{key} must start with '~/' or contain the current username to ensure uniqueness when using {DEV}"
        diags.append(Diagnostic(Severity.ERROR, summary, f"workspace.{key}", node.loc))
        return  # the CLI names the first such path only


def check_compute_override(root: Node, mode: str | None, diags: list[Diagnostic]) -> None:
    bundle = root.get("bundle")
    node = bundle.get("cluster_id") if bundle is not None and bundle.is_map else None
    if mode == "development" or node is None or not node.value:
        return
    diags.append(
        Diagnostic(
            Severity.ERROR,
            f"cannot override compute for an target that does not use {DEV}",
            "bundle.cluster_id",
            node.loc,
        )
    )


def production_root_recommendation(root: Node, user: CurrentUser, diags: list[Diagnostic]) -> None:
    """Jobs running as a principal keep one copy per principal, not one copy: a recommendation."""
    workspace = root.get("workspace")
    diags.append(
        Diagnostic(
            Severity.WARNING,
            "target with 'mode: production' should set 'workspace.root_path' to make sure only one copy is deployed",
            "workspace.root_path",
            workspace.loc if workspace is not None else root.loc,
            detail="A common practice is to use a username or principal name in this path, i.e. use\n\n"
            f"  root_path: /Workspace/Users/{user.user_name}/.bundle/${{bundle.name}}/${{bundle.target}}",
        )
    )


def check_shared_root(root: Node, diags: list[Diagnostic]) -> None:
    workspace = root.get("workspace")
    node = workspace.get("root_path") if workspace is not None and workspace.is_map else None
    path = str(node.value) if node is not None and node.value else ""
    if not (path.startswith("/Workspace/Shared/") or path == "/Workspace/Shared"):
        return
    if any(_level(p) == "CAN_MANAGE" and _text(p.get("group_name")) == "users" for p in _permissions(root)):
        return
    diags.append(
        Diagnostic(
            Severity.WARNING,
            f"the bundle root path {path} is writable by all workspace users",
            "workspace.root_path",
            node.loc if node is not None else None,
            detail="The bundle is configured to use /Workspace/Shared, which will give read/write access to all "
            "users. If this is intentional, add CAN_MANAGE for 'group_name: users' permission to your bundle "
            "configuration. If the deployment should be restricted, move it to a restricted folder such as "
            "/Workspace/Users/<username or principal name>.",
        )
    )


def check_deployer_permission(root: Node, user: CurrentUser, diags: list[Diagnostic]) -> None:
    permissions = _permissions(root)
    if not permissions:
        return
    me = user.user_name
    for entry in permissions:
        if _level(entry) != "CAN_MANAGE":
            continue
        names = {_text(entry.get("user_name")), _text(entry.get("service_principal_name"))}
        if me in names or _text(entry.get("group_name")) == "users":
            return
    kind = "service_principal_name" if user.is_service_principal else "user_name"
    node = root.get("permissions")
    diags.append(
        Diagnostic(
            Severity.INFO,
            f"permissions section should explicitly include the current deployment identity '{me}' or one of its "
            "groups\nIf it is not included, CAN_MANAGE permissions are only applied if the present identity is "
            "used to deploy.\n\nConsider using a adding a top-level permissions section such as the following:\n\n"
            f"  permissions:\n    - {kind}: {me}\n      level: CAN_MANAGE\n\n"
            "See https://docs.databricks.com/dev-tools/bundles/permissions.html to learn more about permission "
            "configuration.",
            "permissions",
            node.loc if node is not None else None,
        )
    )


def _permissions(root: Node) -> list[Node]:
    node = root.get("permissions")
    if node is None or not node.is_seq:
        return []
    return [p for p in map_items(node) if p.is_map]


def _level(entry: Node) -> str:
    return _text(entry.get("level"))


def _text(node: Node | None) -> str:
    return str(node.value) if node is not None and node.value is not None else ""
