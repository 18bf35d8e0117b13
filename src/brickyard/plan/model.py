"""A plan: everything a deploy would do, computed without side effects, applied as computed.

`brickyard plan` prints it; `brickyard deploy` applies the same object. It holds the state it was
computed against, so apply can refuse a state that changed underneath it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from brickyard.state.model import DeploymentState

# Resource kinds in the order they are created; deletes run in reverse.
STAGES = ("schemas", "volumes", "clusters", "pipelines", "jobs")
# Deleting or recreating these loses data or history: deploy asks first.
DESTRUCTIVE_KINDS = frozenset({"pipelines", "schemas", "volumes"})


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    RECREATE = "recreate"
    DELETE = "delete"
    UNCHANGED = "unchanged"


class FileAction(str, Enum):
    UPLOAD = "upload"
    DELETE = "delete"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class ResourceChange:
    kind: str
    key: str
    action: Action
    id: str | None = None
    """The resource's id in the workspace, when it exists."""
    config: dict[str, Any] = field(default_factory=dict)
    """The settings to apply; `${resources.<kind>.<key>.id}` references still unfilled."""
    desired_hash: str = ""
    changed_fields: tuple[str, ...] = ()
    reason: str = ""

    @property
    def address(self) -> str:
        return f"{self.kind}.{self.key}"

    @property
    def destructive(self) -> bool:
        return self.kind in DESTRUCTIVE_KINDS and self.action in (Action.DELETE, Action.RECREATE)


@dataclass(frozen=True)
class FileChange:
    relative: str
    action: FileAction
    remote: str
    hash: str = ""
    language: str | None = None
    local: Path | None = None


@dataclass(frozen=True)
class ArtifactUpload:
    name: str
    local: Path | None
    remote: str
    hash: str
    action: FileAction


@dataclass(frozen=True)
class Plan:
    bundle: str
    target: str
    host: str
    root_path: str
    file_path: str
    state: DeploymentState
    artifacts: tuple[ArtifactUpload, ...] = ()
    files: tuple[FileChange, ...] = ()
    resources: tuple[ResourceChange, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def has_changes(self) -> bool:
        return (
            any(a.action is not FileAction.UNCHANGED for a in self.artifacts)
            or any(f.action is not FileAction.UNCHANGED for f in self.files)
            or any(r.action is not Action.UNCHANGED for r in self.resources)
        )

    @property
    def destructive(self) -> tuple[ResourceChange, ...]:
        return tuple(r for r in self.resources if r.destructive)

    def changed_files(self) -> tuple[FileChange, ...]:
        return tuple(f for f in self.files if f.action is not FileAction.UNCHANGED)

    def changed_resources(self) -> tuple[ResourceChange, ...]:
        return tuple(r for r in self.resources if r.action is not Action.UNCHANGED)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for change in self.resources:
            out[change.action.value] = out.get(change.action.value, 0) + 1
        return out
