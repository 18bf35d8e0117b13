"""A release record: enough to deploy exactly that release again, anywhere.

Every deploy that changed something writes one under the target's state path: its number, who
deployed it from which git commit, the resolved configuration, each resource's settings, the
content hash of every file, notebook and artifact, and where the files' archive and the artifacts
are kept. Credentials are never in it (see `state.redact`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from brickyard.errors import ReleaseError

RELEASE_VERSION = 1
Kind = Literal["deploy", "rollback", "promote"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GitRef(_Model):
    commit: str = ""
    branch: str = ""
    tags: list[str] = Field(default_factory=list)
    origin_url: str = ""


class Source(_Model):
    """Where a rollback or promotion took its content from."""

    target: str
    release: int
    host: str = ""


class ReleaseFile(_Model):
    hash: str
    remote: str
    language: str | None = None


class ReleaseArtifact(_Model):
    name: str
    """The library path the bundle named, relative to its root (e.g. dist/pkg-1.0-py3-none-any.whl)."""
    remote: str
    hash: str


class Release(_Model):
    version: int = RELEASE_VERSION
    number: int
    bundle: str
    target: str
    host: str
    kind: Kind = "deploy"
    source: Source | None = None
    content_of: int
    """The release whose content this one deployed: itself for a deploy, the rolled-back-to one else."""
    created_at: str
    created_by: str
    git: GitRef = Field(default_factory=GitRef)
    config: dict[str, Any] = Field(default_factory=dict)
    resources: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Address → settings as deployed, references to other resources unfilled."""
    files: dict[str, ReleaseFile] = Field(default_factory=dict)
    artifacts: list[ReleaseArtifact] = Field(default_factory=list)
    archive: str = ""
    """Workspace path of the zip holding every synced file of this release."""
    archive_hash: str = ""
    changes: dict[str, Any] = Field(default_factory=dict)

    def summary(self) -> ReleaseSummary:
        return ReleaseSummary(
            number=self.number,
            kind=self.kind,
            content_of=self.content_of,
            source=self.source,
            created_at=self.created_at,
            created_by=self.created_by,
            git=self.git,
            changes=self.changes,
        )


class ReleaseSummary(_Model):
    number: int
    kind: Kind
    content_of: int
    source: Source | None = None
    created_at: str
    created_by: str
    git: GitRef = Field(default_factory=GitRef)
    changes: dict[str, Any] = Field(default_factory=dict)


class ReleaseIndex(_Model):
    version: int = RELEASE_VERSION
    releases: list[ReleaseSummary] = Field(default_factory=list)

    @property
    def latest(self) -> ReleaseSummary | None:
        return self.releases[-1] if self.releases else None

    def next_number(self) -> int:
        return (self.latest.number + 1) if self.latest else 1

    def get(self, number: int) -> ReleaseSummary:
        for summary in self.releases:
            if summary.number == number:
                return summary
        known = ", ".join(str(r.number) for r in self.releases) or "none"
        raise ReleaseError(f"release {number} does not exist (releases: {known})")

    def previous(self) -> ReleaseSummary:
        """The release to roll back to: the last original release before the one deployed now."""
        current = self.latest
        if current is None:
            raise ReleaseError("this target has no releases yet: deploy it first")
        earlier = [r for r in self.releases if r.kind != "rollback" and r.number < current.content_of]
        if not earlier:
            raise ReleaseError(
                f"release {current.number} (content of release {current.content_of}) has no earlier release to roll back to"
            )
        return earlier[-1]


def check_version(doc: dict[str, Any], where: str) -> None:
    version = doc.get("version")
    if isinstance(version, int) and version > RELEASE_VERSION:
        raise ReleaseError(
            f"{where} was written by a newer brickyard (version {version}); upgrade brickyard to read it"
        )
