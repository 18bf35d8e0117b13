"""A plan: everything a deploy would do, computed without side effects, applied as computed.

A plan is a list of typed stages, built once: artifacts, files, then one stage per resource kind
in rank order (a resource after those it references), then the deletes, kinds in reverse rank.
`brickyard plan` explains the stages in that order and `brickyard deploy` executes them in that
order; `destroy` is a plan against an empty desired deployment, so it holds delete stages only.
The plan holds the state it was computed against, so apply can refuse a state that changed
underneath it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from brickyard.state.model import DeploymentState


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
    loses_data: bool = False
    """Deleting a resource of this kind loses data or history (the registry says which)."""

    @property
    def address(self) -> str:
        return f"{self.kind}.{self.key}"

    @property
    def destructive(self) -> bool:
        return self.loses_data and self.action in (Action.DELETE, Action.RECREATE)


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
class ArtifactStage:
    """Upload library files (wheels, jars) under the artifact path, before anything names them."""

    uploads: tuple[ArtifactUpload, ...]


@dataclass(frozen=True)
class FileStage:
    """Sync the bundle's files: upload what changed, delete what the bundle no longer has."""

    changes: tuple[FileChange, ...]


@dataclass(frozen=True)
class ResourceStage:
    """Create, update or recreate the resources of one kind, each after those it references."""

    kind: str
    changes: tuple[ResourceChange, ...]


@dataclass(frozen=True)
class DeleteStage:
    """Delete the resources of one kind that the desired deployment no longer has."""

    kind: str
    changes: tuple[ResourceChange, ...]


Stage = ArtifactStage | FileStage | ResourceStage | DeleteStage


@dataclass(frozen=True)
class Plan:
    bundle: str
    target: str
    host: str
    root_path: str
    file_path: str
    state: DeploymentState
    stages: tuple[Stage, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def artifacts(self) -> tuple[ArtifactUpload, ...]:
        return tuple(a for s in self.stages if isinstance(s, ArtifactStage) for a in s.uploads)

    @property
    def files(self) -> tuple[FileChange, ...]:
        return tuple(f for s in self.stages if isinstance(s, FileStage) for f in s.changes)

    @property
    def resources(self) -> tuple[ResourceChange, ...]:
        """Every resource change, in the order the stages apply them."""
        return tuple(c for s in self.stages if isinstance(s, ResourceStage | DeleteStage) for c in s.changes)

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
