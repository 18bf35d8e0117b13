"""The bundle's `run_as` identity: checked once, then copied onto the kinds that run as someone.

`databricks bundle validate` takes exactly one non-empty identity (a user, a service principal or
a group) and copies it onto every job, pipeline and alert that names none. When the identity is
not the deploying user (a group never is), kinds that can only run as their owner are refused:
serving endpoints, quality monitors and apps as a whole, dashboards that embed credentials one by
one; pipelines and alerts cannot take a group, and each that would is named. The legacy mode
(`experimental.use_legacy_run_as`) instead makes the identity the owner of each pipeline, copies it
onto jobs only, and says it is experimental.
"""

from __future__ import annotations

import re

from brickyard.bundle.identity import CurrentUser
from brickyard.bundle.node import Node, from_plain, lookup, map_entries, map_items
from brickyard.errors import Diagnostic, Location, Severity
from brickyard.resources import Registry

IDENTITIES = ("user_name", "service_principal_name", "group_name")
_DOCS = "https://docs.databricks.com/dev-tools/bundles/run-as.html"
_VAR_REFERENCE = re.compile(r"\$\{var\.([\w-]+)\}")
_LEGACY_WARNING = (
    "You are using the legacy mode of run_as. The support for this mode is experimental and might be "
    "removed in a future release of the CLI. In order to run the pipelines in your DABs project as the "
    "run_as user this mode changes the owners of the pipelines to the run_as identity, which requires "
    "the user deploying the bundle to be a workspace admin, and also a Metastore admin if the pipeline "
    "target is in UC."
)


def apply_run_as(config: Node, user: CurrentUser, registry: Registry, diags: list[Diagnostic]) -> None:
    run_as = config.get("run_as")
    if run_as is None or run_as.value is None or not run_as.is_map:
        return  # `run_as:` with nothing under it is no identity at all, and no error
    named = {
        key: str(node.value) for key in IDENTITIES if (node := run_as.get(key)) is not None and node.value
    }
    if (flag := _legacy_flag(config)) is not None:
        _legacy(config, run_as, named, flag, user, diags)
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
    found = _refusals(config, named, user, registry)
    if found:
        diags.extend(found)
        return
    resources = config.get("resources")
    for kind in registry:
        fields = kind.run_as_fields
        if not kind.inherits_run_as or not fields:
            continue
        for _, resource in map_entries(resources, kind.name):
            if resource.get("run_as") is None:
                resource.value["run_as"] = Node(
                    {k: v.copy() for k, v in run_as.items() if k in named and k in fields}, run_as.loc
                )


def _refusals(config: Node, named: dict[str, str], user: CurrentUser, registry: Registry) -> list[Diagnostic]:
    """What cannot run as the identity; nothing when the identity is the deploying user."""
    named = {key: _current_user_filled(value, user) for key, value in named.items()}
    group = named.get("group_name")
    identity = f'group "{group}"' if group else next(iter(named.values()))
    if not group and identity == user.user_name:
        return []
    resources = config.get("resources")
    found = []
    if group:
        # Pipelines and alerts run as a user or a service principal: each that would take the
        # bundle's group is refused where it is defined.
        for kind in registry:
            if not kind.inherits_run_as or "group_name" in kind.run_as_fields:
                continue
            for _, resource in map_entries(resources, kind.name):
                if resource.get("run_as") is None:
                    found.append(
                        Diagnostic(
                            Severity.ERROR,
                            f"{kind.name} do not support run_as.group_name; set run_as.user_name or "
                            f"run_as.service_principal_name on this {kind.name.removesuffix('s')} to "
                            "override the bundle run_as",
                            location=resource.loc,
                        )
                    )
        if found:
            return found
    for kind in registry:
        entries = map_entries(resources, kind.name)
        if kind.runs_as_owner_only and entries:
            kind_node = resources.get(kind.name) if resources is not None else None
            what = f"{kind.name} do not support a setting a run_as user"
            found.append(_refused(what, kind_node.loc if kind_node else None, user, identity))
        if kind.runs_as_owner_when:
            for _, resource in entries:
                if _true(resource.get(kind.runs_as_owner_when), config):
                    what = f"{kind.name} with {kind.runs_as_owner_when} set to true do not support a setting a run_as user"
                    found.append(_refused(what, resource.loc, user, identity))
    return found


def _current_user_filled(value: str, user: CurrentUser) -> str:
    """An identity written as the deploying user's name (`${workspace.current_user.userName}`), as
    the CLI has it resolved when it names the identity."""
    known = {"userName": user.user_name, "user_name": user.user_name, "short_name": user.short_name}
    return re.sub(
        r"\$\{workspace\.current_user\.(userName|user_name|short_name)\}", lambda m: known[m.group(1)], value
    )


def _refused(what: str, location: Location | None, user: CurrentUser, identity: str) -> Diagnostic:
    return Diagnostic(
        Severity.ERROR,
        f"{what} that is different from the owner.\n"
        f"Current identity: {user.user_name}. Run as identity: {identity}.\n"
        f"See {_DOCS} to learn more about the run_as property.",
        location=location,
    )


def _legacy(
    config: Node, run_as: Node, named: dict[str, str], flag: Node, user: CurrentUser, diags: list[Diagnostic]
) -> None:
    group = run_as.get("group_name")
    if group is not None:
        # The legacy mode makes the identity a pipeline's owner, which a group cannot be.
        diags.append(
            Diagnostic(
                Severity.ERROR,
                "run_as.group_name is not supported with experimental.use_legacy_run_as; "
                "disable experimental.use_legacy_run_as to use a group identity",
                location=group.loc,
            )
        )
        return
    resources = config.get("resources")
    principal = {k: v for k, v in named.items() if k in ("user_name", "service_principal_name")}
    if principal and user.user_name not in principal.values():
        for _, pipeline in map_entries(resources, "pipelines"):
            permissions = pipeline.get("permissions")
            kept = [
                entry
                for entry in map_items(permissions)
                if not any(
                    (node := entry.get(k)) is not None and node.value == v for k, v in principal.items()
                )
            ]
            kept.append(from_plain({"level": "IS_OWNER", **principal}, run_as.loc))
            pipeline.value["permissions"] = Node(kept, permissions.loc if permissions else run_as.loc)
    for _, job in map_entries(resources, "jobs"):
        if job.get("run_as") is None:
            job.value["run_as"] = Node({k: v.copy() for k, v in run_as.items() if k in named}, run_as.loc)
    diags.append(Diagnostic(Severity.WARNING, _LEGACY_WARNING, "experimental.use_legacy_run_as", flag.loc))


def _legacy_flag(config: Node) -> Node | None:
    experimental = config.get("experimental")
    flag = experimental.get("use_legacy_run_as") if experimental is not None and experimental.is_map else None
    return flag if flag is not None and flag.value is True else None


def _true(node: Node | None, config: Node | None = None) -> bool:
    """Whether a flag is set; one given as a variable (`${var.embed}`) by the variable's value."""
    value = node.value if node is not None else None
    if isinstance(value, str) and config is not None and (ref := _VAR_REFERENCE.fullmatch(value)):
        value = _plain(lookup(config, ("variables", ref.group(1), "value")))
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _plain(node: Node | None) -> object:
    return node.value if node is not None else None
