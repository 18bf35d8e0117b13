"""Writing the release record of a deploy that changed something."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from brickyard.deploy.apply import ApplyReport
from brickyard.deploy.target import Target
from brickyard.plan.desired import Desired
from brickyard.releases.archive import build_archive
from brickyard.releases.model import GitRef, Kind, Release, ReleaseArtifact, ReleaseFile, Source
from brickyard.releases.store import ReleaseStore
from brickyard.state.redact import redact


def record_release(
    target: Target,
    desired: Desired,
    report: ApplyReport,
    config: dict[str, Any],
    kind: Kind = "deploy",
    source: Source | None = None,
    content_of: int | None = None,
    git: GitRef | None = None,
    number: int | None = None,
) -> tuple[Release, int]:
    """The new release (numbered `number`, else the next free one) and the write calls it took."""
    store = ReleaseStore(target.client, target.store.state_path)
    index = store.index()
    number = number or index.next_number()
    data, digest = build_archive(list(desired.files))
    release = Release(
        number=number,
        bundle=desired.bundle,
        target=desired.target,
        host=desired.host,
        kind=kind,
        source=source,
        content_of=content_of or number,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        created_by=target.bundle.current_user.user_name,
        git=git or current_git(target),
        config=redact(config),
        resources={address: redact(settings) for address, settings in desired.resources.items()},
        files={
            f.relative: ReleaseFile(hash=f.hash, remote=f.remote(desired.file_path), language=f.language)
            for f in desired.files
        },
        artifacts=[ReleaseArtifact(name=a.name, remote=a.remote, hash=a.hash) for a in desired.artifacts],
        archive=store.archive_path(digest),
        archive_hash=digest,
        changes=report.as_json(),
    )
    writes = store.save(release, data, index)
    return release, writes


def current_git(target: Target) -> GitRef:
    info = target.bundle.git
    return GitRef(commit=info.commit, branch=info.branch, tags=list(info.tags), origin_url=info.origin_url)
