"""The bundle's `run_as` identity: checked once, then copied onto the kinds that run as someone.

`databricks bundle validate` takes exactly one non-empty identity, copies it onto every job and
pipeline that names none, and refuses kinds that can only run as their owner (serving endpoints)
when the identity differs from the user deploying.
"""

from __future__ import annotations

from brickyard.bundle.identity import CurrentUser
from brickyard.bundle.node import Node, map_entries
from brickyard.errors import Diagnostic, Severity
from brickyard.resources import Registry

IDENTITIES = ("user_name", "service_principal_name", "group_name")
_DOCS = "https://docs.databricks.com/dev-tools/bundles/run-as.html"


def apply_run_as(config: Node, user: CurrentUser, registry: Registry, diags: list[Diagnostic]) -> None:
    run_as = config.get("run_as")
    if run_as is None or run_as.value is None or not run_as.is_map:
        return  # `run_as:` with nothing under it is no identity at all, and no error
    group = run_as.get("group_name")
    if group is not None and _legacy(config):
        # The legacy mode hands the identity to the owner field, which a group cannot hold.
        diags.append(
            Diagnostic(
                Severity.ERROR,
                "run_as.group_name is not supported with experimental.use_legacy_run_as; "
                "disable experimental.use_legacy_run_as to use a group identity",
                location=group.loc,
            )
        )
        return
    named = {
        key: str(node.value) for key in IDENTITIES if (node := run_as.get(key)) is not None and node.value
    }
    if named.keys() == {"user_name", "service_principal_name"}:
        diags.append(
            Diagnostic(
                Severity.ERROR,
                "run_as section cannot specify both user_name and service_principal_name",
                location=run_as.loc,
            )
        )
        return
    if len(named) != 1:
        diags.append(
            Diagnostic(
                Severity.ERROR,
                "run_as section must specify exactly one non-empty identity: "
                "user_name, service_principal_name, or group_name",
                location=run_as.loc,
            )
        )
        return
    identity = next(iter(named.values()))
    resources = config.get("resources")
    for kind in registry:
        for _, resource in map_entries(resources, kind.name):
            embeds = kind.runs_as_owner_when and _true(resource.get(kind.runs_as_owner_when))
            if embeds and identity != user.user_name:
                diags.append(
                    Diagnostic(
                        Severity.ERROR,
                        f"{kind.name} with {kind.runs_as_owner_when} set to true do not support a run_as "
                        "identity that is different from the owner.\n"
                        f"Current identity: {user.user_name}. Run as identity: {identity}.\n"
                        f"See {_DOCS} to learn more about the run_as property.",
                        location=resource.key_loc or resource.loc,
                    )
                )
            if kind.runs_as_owner_only and identity != user.user_name:
                diags.append(
                    Diagnostic(
                        Severity.ERROR,
                        f"{kind.name} do not support a setting a run_as user that is different from the owner.\n"
                        f"Current identity: {user.user_name}. Run as identity: {identity}.\n"
                        f"See {_DOCS} to learn more about the run_as property.",
                        location=resource.key_loc or resource.loc,
                    )
                )
            if kind.inherits_run_as and resource.is_map and resource.get("run_as") is None:
                resource.value["run_as"] = Node(
                    {k: v.copy() for k, v in run_as.items() if k in named}, run_as.loc
                )


def _legacy(config: Node) -> bool:
    experimental = config.get("experimental")
    flag = experimental.get("use_legacy_run_as") if experimental is not None and experimental.is_map else None
    return flag is not None and flag.value is True


def _true(node: Node | None) -> bool:
    return node is not None and node.value is True
