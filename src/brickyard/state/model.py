"""The deployment state: what brickyard created for one target, as a typed, versioned document.

It is the only source of ownership: deploy updates and destroy deletes exactly the resources it
lists, by id. It records the configuration each resource was last deployed with (to plan updates
field by field), the hash of every synced file (so an unchanged bundle writes nothing), and the
artifacts uploaded. It lives in the workspace under the target's state path, with a local cache.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from brickyard.errors import StateError

STATE_VERSION = 2
"""Bump when the document's shape changes, and add a migration in `migrate`."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResourceState(_Model):
    kind: str
    key: str
    id: str
    config: dict[str, Any]
    """The settings as sent to the workspace, references filled."""
    desired_hash: str = ""
    """Fingerprint of the bundle's configuration, references unfilled: detects edits to the bundle."""

    @property
    def address(self) -> str:
        return f"{self.kind}.{self.key}"


class FileState(_Model):
    hash: str
    remote: str
    language: str | None = None
    """Set for notebooks (imported as notebooks, without extension)."""
    modified_at: int | None = None
    """The workspace object's `modified_at` (ms) right after deploy wrote it: a later one means it
    was edited in the workspace since, and deploy will not replace it unasked."""


class ArtifactFile(_Model):
    local: str
    remote: str
    hash: str


class DeploymentState(_Model):
    version: int = STATE_VERSION
    bundle: str
    target: str
    serial: int = 0
    """Incremented by every deploy that changed something."""
    lineage: str = ""
    """Set when a target is first deployed: states of different lineages are different histories
    (a destroy and a fresh deploy in between), whatever their serials say."""
    host: str = ""
    root_path: str = ""
    deployed_at: str = ""
    deployed_by: str = ""
    brickyard_version: str = ""
    release: int | None = None
    """The release that records this deployment; when the index lacks it (recording failed or was
    interrupted), the next deploy records it under this number."""
    resources: dict[str, ResourceState] = Field(default_factory=dict)
    """Keyed by address, `jobs.orders_job`."""
    files: dict[str, FileState] = Field(default_factory=dict)
    """Keyed by path relative to the bundle root."""
    artifacts: dict[str, list[ArtifactFile]] = Field(default_factory=dict)

    def resource(self, kind: str, key: str) -> ResourceState | None:
        return self.resources.get(f"{kind}.{key}")

    def ids(self) -> dict[str, str]:
        return {address: r.id for address, r in self.resources.items()}


def empty_state(bundle: str, target: str) -> DeploymentState:
    return DeploymentState(bundle=bundle, target=target, lineage=uuid.uuid4().hex)


def parse_state(doc: dict[str, Any], where: str) -> DeploymentState:
    """Read a state document of this or an older version; refuse one from a newer brickyard."""
    version = doc.get("version")
    if not isinstance(version, int):
        raise StateError(f"the deployment state at {where} has no version; it was not written by brickyard")
    if version > STATE_VERSION:
        raise StateError(
            f"the deployment state at {where} is version {version}, written by a newer brickyard "
            f"(this one reads up to version {STATE_VERSION}); upgrade brickyard to deploy this target"
        )
    doc = migrate(doc)
    try:
        return DeploymentState.model_validate(doc)
    except ValueError as err:
        raise StateError(f"the deployment state at {where} is damaged: {err}") from None


def migrate(doc: dict[str, Any]) -> dict[str, Any]:
    """Bring an older document up to STATE_VERSION, one version at a time."""
    migrations: dict[int, Any] = {1: _v1_to_v2}  # version → function(doc) -> doc of version + 1
    while doc["version"] < STATE_VERSION:
        doc = migrations[doc["version"]](doc)
    return doc


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 2 added `lineage`; a version-1 state has none, so it is never confused with a cache."""
    return {**doc, "version": 2, "lineage": ""}
