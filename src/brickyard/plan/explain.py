"""Explaining a plan: its stages in the order deploy executes them, as text and as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from brickyard.plan.model import (
    Action,
    ArtifactStage,
    DeleteStage,
    FileAction,
    FileStage,
    Plan,
    ResourceChange,
    ResourceStage,
    Stage,
)

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
        "stages": [_stage_json(s) for s in plan.stages],
        "warnings": list(plan.warnings),
    }


def stage_name(stage: Stage) -> str:
    if isinstance(stage, ArtifactStage):
        return "artifacts"
    if isinstance(stage, FileStage):
        return "files"
    if isinstance(stage, ResourceStage):
        return stage.kind
    return f"delete {stage.kind}"


def _stage_json(stage: Stage) -> dict[str, Any]:
    doc: dict[str, Any] = {"stage": stage_name(stage)}
    if isinstance(stage, ArtifactStage):
        doc["upload"] = [a.name for a in stage.uploads if a.action is FileAction.UPLOAD]
    elif isinstance(stage, FileStage):
        doc["changed"] = sum(f.action is not FileAction.UNCHANGED for f in stage.changes)
    else:
        doc["resources"] = [{"address": c.address, "action": c.action.value} for c in stage.changes]
    return doc


def plan_text(plan: Plan, show_unchanged: bool = False) -> list[Text]:
    """The plan as styled lines, stage by stage; user data is never read as markup."""
    from rich.text import Text

    lines = [Text.assemble(("Plan", "bold"), f" for {plan.bundle}, target {plan.target} ({plan.host})")]
    for stage in plan.stages:
        if isinstance(stage, ArtifactStage):
            lines += _artifact_lines(stage)
        elif isinstance(stage, FileStage):
            lines += _file_lines(stage)
        else:
            lines += _resource_lines(stage, show_unchanged)
    counts = plan.counts()
    summary = ", ".join(f"{counts[a.value]} {a.value}" for a in Action if counts.get(a.value))
    lines.append(Text(f"  Resources: {summary or 'none'}"))
    lines += [Text.assemble("  ", ("Warning:", "yellow"), f" {w}") for w in plan.warnings]
    return lines


def _artifact_lines(stage: ArtifactStage) -> list[Text]:
    from rich.text import Text

    uploads = [a for a in stage.uploads if a.action is FileAction.UPLOAD]
    if not uploads:
        return []
    return [Text("  Artifacts:")] + [Text.assemble("    ", ("upload ", "green"), a.name) for a in uploads]


def _file_lines(stage: FileStage) -> list[Text]:
    from rich.text import Text

    upload = [f for f in stage.changes if f.action is FileAction.UPLOAD]
    delete = [f for f in stage.changes if f.action is FileAction.DELETE]
    unchanged = len(stage.changes) - len(upload) - len(delete)
    lines = [Text(f"  Files: {len(upload)} to upload, {len(delete)} to delete, {unchanged} unchanged")]
    shown = upload[:20] + delete[:20]
    for change in shown:
        colour = "green" if change.action is FileAction.UPLOAD else "red"
        lines.append(Text.assemble("    ", (f"{change.action.value:<7}", colour), " ", change.relative))
    if len(upload) + len(delete) > len(shown):
        lines.append(Text(f"    … and {len(upload) + len(delete) - len(shown)} more"))
    return lines


def _resource_lines(stage: ResourceStage | DeleteStage, show_unchanged: bool) -> list[Text]:
    from rich.text import Text

    shown = [c for c in stage.changes if show_unchanged or c.action is not Action.UNCHANGED]
    if not shown:
        return []
    words = stage.kind.replace("_", " ")
    title = f"  Delete {words}:" if isinstance(stage, DeleteStage) else f"  {words.capitalize()}:"
    return [Text(title)] + [_resource_line(c) for c in shown]


def _resource_line(resource: ResourceChange) -> Text:
    from rich.text import Text

    mark, colour = _MARKS[resource.action]
    detail = ""
    if resource.action in (Action.UPDATE, Action.RECREATE) and resource.changed_fields:
        fields = list(resource.changed_fields)
        detail = ": " + ", ".join(fields[:6]) + (f" (+{len(fields) - 6} more)" if len(fields) > 6 else "")
    if resource.reason:
        detail += f" ({resource.reason})"
    return Text.assemble(
        "    ", (f"{mark} {resource.action.value:<9}", colour), " ", resource.address, detail
    )
