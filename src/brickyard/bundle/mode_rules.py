"""What `databricks bundle` refuses or warns about for a target's mode, checked on the resolved
configuration so that nothing is deployed from a bundle it would not deploy.

- any mode: a compute override (`cluster_id` / `compute_id`, `--cluster-id`) moves the jobs' tasks
  that have compute onto that cluster; production is warned that it is not recommended;
- every mode: a root path in /Workspace/Shared that the permissions do not declare writable by
  all users, and top-level permissions that leave the deploying identity out.

The messages are the CLI's, so a search for one finds the same advice.
"""

from __future__ import annotations

from brickyard.bundle.identity import CurrentUser
from brickyard.bundle.node import Node, map_entries, map_items
from brickyard.errors import Diagnostic, Severity

DEV = "'mode: development'"


def override_compute(root: Node, mode: str | None, diags: list[Diagnostic]) -> None:
    """`bundle.cluster_id` (a target's `cluster_id`/`compute_id`, or `--cluster-id`) runs every job
    task that has compute of its own on that cluster instead, in any mode; production is warned."""
    bundle = root.get("bundle")
    node = bundle.get("cluster_id") if bundle is not None and bundle.is_map else None
    if node is None or not isinstance(node.value, str) or not node.value:
        return
    if mode == "production":
        diags.append(
            Diagnostic(
                Severity.WARNING,
                "Setting a cluster override for a target that uses 'mode: production' is not recommended",
                "bundle.cluster_id",
                node.loc,
                detail="It is recommended to always use the same compute for production target for consistency.",
            )
        )
    for _, job in map_entries(root.get("resources"), "jobs"):
        for task in map_items(job.get("tasks") if job.is_map else None):
            loop = task.get("for_each_task")
            inner = loop.get("task") if loop is not None and loop.is_map else None
            _run_on(inner if inner is not None and inner.is_map else task, node)


_COMPUTE = ("new_cluster", "existing_cluster_id", "environment_key", "job_cluster_key")


def _run_on(task: Node, cluster: Node) -> None:
    """As the CLI does it: only a task that names compute is moved (one without stays serverless)."""
    if not any((value := task.get(key)) is not None and (value.is_map or _text(value)) for key in _COMPUTE):
        return
    for key in ("new_cluster", "environment_key", "job_cluster_key"):
        task.value.pop(key, None)
    task.value["existing_cluster_id"] = cluster.copy()


def check_shared_root(root: Node, diags: list[Diagnostic]) -> None:
    """Warn of a root path, and of a state path outside it, that every workspace user may write to
    (in /Workspace/Shared) while the permissions do not give the `users` group CAN_MANAGE."""
    workspace = root.get("workspace")
    if workspace is None or not workspace.is_map:
        return
    if any(_level(p) == "CAN_MANAGE" and _text(p.get("group_name")) == "users" for p in _permissions(root)):
        return
    root_path = _text(workspace.get("root_path"))
    state_path = _text(workspace.get("state_path"))
    for what, path, where in (
        ("root", root_path, "the bundle"),
        ("state", state_path if not _within(state_path, root_path) else "", "the state path"),
    ):
        if _within(path, "/Workspace/Shared"):
            diags.append(
                Diagnostic(
                    Severity.WARNING,
                    f"the bundle {what} path {path} is writable by all workspace users",
                    detail=f"The bundle {what} path is in /Workspace/Shared, giving read/write access to all "
                    "workspace users that is not reflected in the permissions section. If this is intentional, "
                    f"add CAN_MANAGE for 'group_name: users' to your bundle permissions. Otherwise, move {where} "
                    f"to a restricted {'path' if what == 'root' else 'location'} such as /Workspace/Users/<username>.",
                )
            )


def _within(path: str, folder: str) -> bool:
    return bool(path) and bool(folder) and (path == folder or path.startswith(folder.rstrip("/") + "/"))


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
            location=node.loc if node is not None else None,
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
