"""`brickyard summary`: what is deployed on a target, with ids and links, kinds in stage order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from brickyard.context import AppContext
from brickyard.deploy.target import open_target


def summarize(
    ctx: AppContext, target_name: str | None, variables: Sequence[str] = (), profile: str | None = None
) -> dict[str, Any]:
    target = open_target(ctx, target_name, variables, profile)
    state = target.read_state(ctx)
    bundle = target.bundle
    base = target.base_url
    resources: dict[str, dict[str, Any]] = {}
    listed = sorted(state.resources.values(), key=lambda r: (target.registry.rank(r.kind), r.address))
    for resource in listed:
        kind = target.kinds.get(resource.kind)
        resources.setdefault(resource.kind, {})[resource.key] = {
            "id": resource.id,
            "name": kind.display_name(resource.config, resource.key) if kind else resource.key,
            "url": kind.url(base, resource.id) if kind else "",
        }
    declared = set(target.declared())
    doc = {
        "bundle": {"name": bundle.name, "target": bundle.target, "mode": bundle.mode},
        "workspace": {
            "host": base,
            "user": bundle.current_user.user_name,
            "root_path": bundle.workspace["root_path"],
        },
        "deployment": {
            "serial": state.serial,
            "deployed_at": state.deployed_at,
            "deployed_by": state.deployed_by,
            "files": len(state.files),
        },
        "resources": resources,
        "not_deployed": sorted(declared - set(state.resources)),
    }
    ctx.output.result(doc, lambda console: _render(console, doc))
    return doc


def _render(console: Any, doc: dict[str, Any]) -> None:
    from rich.text import Text

    bundle, workspace, deployment = doc["bundle"], doc["workspace"], doc["deployment"]
    lines = [
        f"Name: {bundle['name']}",
        f"Target: {bundle['target']}",
        "Workspace:",
        f"  Host: {workspace['host']}",
        f"  User: {workspace['user']}",
        f"  Path: {workspace['root_path']}",
    ]
    if deployment["serial"]:
        lines.append(
            f"Deployed: #{deployment['serial']} at {deployment['deployed_at']} by {deployment['deployed_by']}"
        )
    console.print(Text("\n".join(lines)))
    if doc["resources"]:
        console.print(Text("Resources:"))
    for kind, items in doc["resources"].items():
        for key, item in items.items():
            console.print(
                Text.assemble("  ", (f"{kind}.{key}", "bold"), f"  {item['name']}  (id {item['id']})")
            )
            console.print(Text(f"    {item['url']}", style="dim"))
    for address in doc["not_deployed"]:
        console.print(Text(f"  {address}: not deployed", style="yellow"))
