"""Showing a plan: the same stages apply walks, as text for people and JSON for machines."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from brickyard.plan.model import Action, FileAction, Plan

if TYPE_CHECKING:
    from rich.text import Text

_MARKS = {
    Action.CREATE: ("+", "green"),
    Action.UPDATE: ("~", "yellow"),
    Action.RECREATE: ("±", "magenta"),
    Action.DELETE: ("-", "red"),
    Action.UNCHANGED: ("=", "dim"),
}


def plan_json(plan: Plan) -> dict[str, Any]:
    files = [f for f in plan.files if f.action is not FileAction.UNCHANGED]
    return {
        "bundle": plan.bundle,
        "target": plan.target,
        "host": plan.host,
        "root_path": plan.root_path,
        "has_changes": plan.has_changes,
        "artifacts": [
            {"file": a.name, "remote": a.remote, "hash": a.hash, "action": a.action.value}
            for a in plan.artifacts
        ],
        "files": {
            "upload": [f.relative for f in files if f.action is FileAction.UPLOAD],
            "delete": [f.relative for f in files if f.action is FileAction.DELETE],
            "unchanged": sum(f.action is FileAction.UNCHANGED for f in plan.files),
        },
        "resources": [
            {
                "address": r.address,
                "action": r.action.value,
                "id": r.id,
                "changed_fields": list(r.changed_fields),
                "reason": r.reason,
                "destructive": r.destructive,
            }
            for r in plan.resources
        ],
        "warnings": list(plan.warnings),
    }


def plan_text(plan: Plan, show_unchanged: bool = False) -> list[Text]:
    """The plan as styled lines; user data is never read as markup."""
    from rich.text import Text

    lines = [Text.assemble(("Plan", "bold"), f" for {plan.bundle}, target {plan.target} ({plan.host})")]
    uploads = [a for a in plan.artifacts if a.action is FileAction.UPLOAD]
    if uploads:
        lines.append(Text("  Artifacts:"))
        lines += [Text.assemble("    ", ("upload ", "green"), a.name) for a in uploads]
    upload = [f for f in plan.files if f.action is FileAction.UPLOAD]
    delete = [f for f in plan.files if f.action is FileAction.DELETE]
    unchanged = len(plan.files) - len(upload) - len(delete)
    lines.append(Text(f"  Files: {len(upload)} to upload, {len(delete)} to delete, {unchanged} unchanged"))
    shown = upload[:20] + delete[:20]
    for change in shown:
        colour = "green" if change.action is FileAction.UPLOAD else "red"
        lines.append(Text.assemble("    ", (f"{change.action.value:<7}", colour), " ", change.relative))
    if len(upload) + len(delete) > len(shown):
        lines.append(Text(f"    … and {len(upload) + len(delete) - len(shown)} more"))
    lines.append(Text("  Resources:"))
    for resource in plan.resources:
        if resource.action is Action.UNCHANGED and not show_unchanged:
            continue
        mark, colour = _MARKS[resource.action]
        detail = ""
        if resource.action in (Action.UPDATE, Action.RECREATE) and resource.changed_fields:
            fields = list(resource.changed_fields)
            detail = ": " + ", ".join(fields[:6]) + (f" (+{len(fields) - 6} more)" if len(fields) > 6 else "")
        if resource.reason:
            detail += f" ({resource.reason})"
        lines.append(
            Text.assemble(
                "    ", (f"{mark} {resource.action.value:<9}", colour), " ", resource.address, detail
            )
        )
    counts = plan.counts()
    summary = ", ".join(f"{counts[a.value]} {a.value}" for a in Action if counts.get(a.value))
    lines.append(Text(f"  {summary or 'no resources'}"))
    lines += [Text.assemble("  ", ("Warning:", "yellow"), f" {w}") for w in plan.warnings]
    return lines
