"""Rollback and promotion: deploying the content of a recorded release instead of the checkout.

Rollback redeploys a release of the same target exactly: its files from the release archive, its
artifacts (still in the workspace, content-addressed), its resources' recorded settings and
workspace paths. Promotion deploys a release of one target to another: the same files and
artifacts, resolved with the second target's own configuration (variables, host, run_as,
permissions) from the bundle files inside the release. Both record a new release that says
where its content came from.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickyard.context import AppContext
from brickyard.deploy import Outcome, apply_desired, apply_git_folders, plan_git_folders, settle_clusters
from brickyard.deploy.target import Target, open_target
from brickyard.errors import ReleaseError
from brickyard.plan.desired import ArtifactSource, Desired
from brickyard.releases.archive import extract_archive
from brickyard.releases.branches import check_branch
from brickyard.releases.model import Release, ReleaseIndex, ReleaseSummary, Source
from brickyard.releases.store import ReleaseStore


@dataclass(frozen=True)
class MoveOptions:
    target: str | None = None
    variables: Sequence[str] = ()
    profile: str | None = None
    auto_approve: bool = False
    force_lock: bool = False
    force: bool = False


def rollback(ctx: AppContext, options: MoveOptions, to: int | None = None) -> Outcome:
    target = open_target(ctx, options.target, options.variables, options.profile)
    store = ReleaseStore(target.client, target.store.state_path)
    index = store.index()
    chosen = index.get(to) if to is not None else _previous(ctx, index)
    release = store.get(chosen.content_of)
    _refuse_redacted(release)
    workspace = release.config.get("workspace", {})
    with tempfile.TemporaryDirectory(prefix="brickyard-release-") as tmp:
        files = extract_archive(
            store.read_archive(release), {k: f.hash for k, f in release.files.items()}, Path(tmp)
        )
        _check_artifacts(target, release)
        folders = plan_git_folders(target, release.git)
        desired = Desired(
            bundle=release.bundle,
            target=target.bundle.target,
            host=target.bundle.host or "local",
            root_path=str(workspace.get("root_path") or target.bundle.workspace["root_path"]),
            file_path=str(workspace.get("file_path") or target.bundle.workspace["file_path"]),
            artifact_path=str(workspace.get("artifact_path") or target.bundle.workspace["artifact_path"]),
            resources=release.resources,
            files=tuple(files),
            artifacts=tuple(ArtifactSource(a.name, None, a.remote, a.hash) for a in release.artifacts),
        )
        ctx.output.info(
            f"Deploying release {release.number} to {target.bundle.target} again ({_describe(release)})"
        )
        outcome = apply_desired(
            ctx,
            target,
            desired,
            auto_approve=options.auto_approve,
            force_lock=options.force_lock,
            config=release.config,
            record={
                "kind": "rollback",
                "source": Source(target=target.bundle.target, release=release.number, host=release.host),
                "content_of": release.number,
                "git": release.git,
            },
        )
    _report(ctx, target, outcome, f"rolled back to release {release.number}")
    settle_clusters(ctx, target, outcome)
    apply_git_folders(ctx, target, folders)
    return outcome


def promote(ctx: AppContext, source_target: str, options: MoveOptions, number: int | None = None) -> Outcome:
    source = open_target(ctx, source_target, options.variables, options.profile)
    store = ReleaseStore(source.client, source.store.state_path)
    index = store.index()
    if index.latest is None:
        raise ReleaseError(f"target {source_target} has no releases to promote: deploy it first")
    chosen = index.get(number) if number is not None else index.latest
    release = store.get(chosen.content_of)
    with tempfile.TemporaryDirectory(prefix="brickyard-promote-") as tmp:
        root = Path(tmp)
        extract_archive(store.read_archive(release), {k: f.hash for k, f in release.files.items()}, root)
        _download_artifacts(source, release, root)
        dest = open_target(
            ctx,
            options.target,
            options.variables,
            options.profile,
            directory=root,
            project_root=source.bundle.root,
        )
        if dest.bundle.target == source.bundle.target:
            raise ReleaseError("promote needs two different targets; to redeploy a release use rollback --to")
        check_branch(dest, force=options.force, branch=release.git.branch)
        folders = plan_git_folders(dest, release.git, source.bundle.root)
        ctx.output.info(
            f"Promoting release {release.number} of {source_target} ({_describe(release)}) to {dest.bundle.target}"
        )
        outcome = apply_desired(
            ctx,
            dest,
            dest.desired(),
            auto_approve=options.auto_approve,
            force_lock=options.force_lock,
            config=dest.bundle.as_json(),
            record={
                "kind": "promote",
                "source": Source(
                    target=source.bundle.target, release=release.number, host=source.bundle.host or "local"
                ),
                "git": release.git,
            },
        )
    _report(ctx, dest, outcome, f"promoted release {release.number} of {source_target}")
    settle_clusters(ctx, dest, outcome)
    apply_git_folders(ctx, dest, folders)
    return outcome


def _previous(ctx: AppContext, index: ReleaseIndex) -> ReleaseSummary:
    """What a plain rollback goes back to. Right after a rollback it is that rollback's own target,
    so running the same command again (its answer was lost, it was killed after recording) changes
    nothing; going further back takes `--to N`."""
    latest = index.latest
    if latest is not None and latest.kind == "rollback":
        ctx.output.info(
            f"release {latest.number} already rolled back to release {latest.content_of}; "
            "pass --to N to roll back further"
        )
        return index.get(latest.content_of)
    return index.previous()


def _refuse_redacted(release: Release) -> None:
    found: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")
        elif isinstance(value, str) and value.startswith("[REDACTED"):
            found.append(path.lstrip("."))

    walk(release.resources, "")
    if found:
        raise ReleaseError(
            f"release {release.number} was deployed with credentials in its settings ({', '.join(found[:3])}), "
            "which are never recorded; keep them in a secret scope ({{secrets/<scope>/<key>}}) to make releases "
            "re-deployable"
        )


def _check_artifacts(target: Target, release: Release) -> None:
    from brickyard.deploy import remote_files

    for artifact in release.artifacts:
        if not remote_files.exists(target.client, artifact.remote):
            raise ReleaseError(
                f"artifact {artifact.name} of release {release.number} is gone from {artifact.remote}"
            )


def _download_artifacts(source: Target, release: Release, root: Path) -> None:
    """Put each artifact where the bundle's library path expects it, so the promoted bundle finds it."""
    import hashlib

    from databricks.sdk.errors import NotFound

    from brickyard.deploy import remote_files

    for artifact in release.artifacts:
        try:
            data = remote_files.download(source.client, artifact.remote)
        except NotFound:
            raise ReleaseError(
                f"artifact {artifact.name} of release {release.number} is gone from {artifact.remote}"
            ) from None
        if hashlib.sha256(data).hexdigest() != artifact.hash:
            raise ReleaseError(
                f"artifact {artifact.name} in {artifact.remote} does not match release {release.number}"
            )
        path = root / artifact.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _describe(release: Release) -> str:
    git = release.git
    ref = ", ".join([*git.tags, git.branch]) or "no git ref"
    return (
        f"{git.commit[:10] or 'uncommitted'} on {ref}, deployed {release.created_at} by {release.created_by}"
    )


def _report(ctx: AppContext, target: Target, outcome: Outcome, what: str) -> None:
    number = f" as release {outcome.release.number}" if outcome.release is not None else ""
    text = (
        f"{target.bundle.target}: {what}{number}: {len(outcome.report.created)} created, "
        f"{len(outcome.report.updated)} updated, {len(outcome.report.deleted)} deleted, "
        f"{outcome.report.files_uploaded} file(s) uploaded"
        if outcome.plan.has_changes
        else f"{target.bundle.target} already matches that release: nothing to do"
    )
    ctx.output.result(outcome.as_json(), text)
