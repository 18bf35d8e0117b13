"""Executing a plan: its stages, in the order the plan lists them (and `plan` explains them).

Artifacts, then files, then one stage per resource kind in rank order, then deletes in reverse
rank. The state is updated after every resource that changed, so whatever happens the state lists
exactly what exists: a deploy that fails half way leaves the resources it created recorded, and
running it again converges instead of creating them twice. Before creating a resource the kind is
asked whether this bundle already created it (`Kind.owned`: a create whose answer was lost): it is
then adopted, not duplicated.
"""

from __future__ import annotations

import contextlib
import io
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from brickyard import __version__
from brickyard.deploy.edits import modified_at
from brickyard.errors import ApplyError, BrickyardError
from brickyard.output import Output
from brickyard.plan.model import (
    Action,
    ArtifactStage,
    DeleteStage,
    FileAction,
    FileChange,
    FileStage,
    Plan,
    ResourceChange,
    ResourceStage,
    Stage,
)
from brickyard.plan.resources import fill_references, split_settings
from brickyard.resources import Kind
from brickyard.state.model import ArtifactFile, DeploymentState, FileState, ResourceState
from brickyard.state.redact import redact
from brickyard.state.store import StateStore

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

UPLOAD_THREADS = 8


@dataclass
class ApplyReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    files_uploaded: int = 0
    files_deleted: int = 0
    artifacts_uploaded: int = 0
    writes: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "files_uploaded": self.files_uploaded,
            "files_deleted": self.files_deleted,
            "artifacts_uploaded": self.artifacts_uploaded,
            "write_calls": self.writes,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class Applier:
    client: WorkspaceClient
    plan: Plan
    store: StateStore
    kinds: dict[str, Kind]
    output: Output
    deployed_by: str
    selected: frozenset[str] = frozenset()
    """Addresses to apply (`--select`); empty means all."""
    claim_release: Callable[[], int] | None = None
    """Takes the number of the release that will record this deploy, once something changed."""
    release: int | None = None
    """That number, kept in the state this deploy writes."""
    report: ApplyReport = field(default_factory=ApplyReport)
    _count: threading.Lock = field(default_factory=threading.Lock)

    def run(self) -> DeploymentState:
        started = time.perf_counter()
        state = self.plan.state.model_copy(deep=True)
        # The copy on this machine records each step as it lands; a serial above the workspace's
        # makes it win after a crash, so what was created is never created again.
        state.serial = self.plan.state.serial + 1
        ids = state.ids()
        try:
            for stage in self.plan.stages:
                self.execute(stage, state, ids)
        finally:
            self._finish(state)
            self.report.seconds = time.perf_counter() - started
        return state

    # -- stages -------------------------------------------------------------------------------

    def execute(self, stage: Stage, state: DeploymentState, ids: dict[str, str]) -> None:
        """Run one stage; `ids` are the resource ids known so far, filled in as resources land."""
        if isinstance(stage, ArtifactStage):
            self._artifacts(stage, state)
        elif isinstance(stage, FileStage):
            self._files(stage, state)
        elif isinstance(stage, ResourceStage):
            for change in stage.changes:
                if change.action is not Action.UNCHANGED and self._chosen(change):
                    self._apply(change, state, ids)
        else:
            self._deletes(stage, state, ids)

    def _artifacts(self, stage: ArtifactStage, state: DeploymentState) -> None:
        uploads = [a for a in stage.uploads if a.action is FileAction.UPLOAD]
        if not uploads:
            return
        from databricks.sdk.service.workspace import ImportFormat

        from brickyard.deploy import remote_files

        with self.output.progress(f"Uploading {len(uploads)} artifact file(s)", total=len(uploads)) as bar:
            for upload in uploads:
                if upload.remote.startswith(
                    ("/Volumes/", "dbfs:")
                ):  # an init script (resources.init_scripts)
                    self._write(
                        lambda u=upload: remote_files.upload(self.client, u.remote, u.local.read_bytes()),
                        f"artifact {upload.name}",
                        "upload",
                    )
                else:
                    self._mkdirs({upload.remote.rsplit("/", 1)[0]})
                    self._write(
                        lambda u=upload: self.client.workspace.upload(
                            u.remote,
                            io.BytesIO(u.local.read_bytes()),
                            format=ImportFormat.AUTO,
                            overwrite=True,
                        ),
                        f"artifact {upload.name}",
                        "upload",
                    )
                files = state.artifacts.setdefault(upload.name, [])
                files[:] = [f for f in files if f.remote != upload.remote]
                files.append(ArtifactFile(local=upload.name, remote=upload.remote, hash=upload.hash))
                self.report.artifacts_uploaded += 1
                bar.advance()

    def _files(self, stage: FileStage, state: DeploymentState) -> None:
        uploads = [f for f in stage.changes if f.action is FileAction.UPLOAD]
        deletes = [f for f in stage.changes if f.action is FileAction.DELETE]
        if uploads:
            known = {fs.remote.rsplit("/", 1)[0] for fs in state.files.values()}
            self._mkdirs({f.remote.rsplit("/", 1)[0] for f in uploads} - known)
            progress = self.output.progress(f"Uploading {len(uploads)} file(s)", total=len(uploads))
            with progress as bar, ThreadPoolExecutor(max_workers=UPLOAD_THREADS) as pool:
                for change, modified_at in pool.map(self._upload_file, uploads):
                    state.files[change.relative] = FileState(
                        hash=change.hash,
                        remote=change.remote,
                        language=change.language,
                        modified_at=modified_at,
                    )
                    self.report.files_uploaded += 1
                    bar.advance()
        for change in deletes:
            self._delete_path(change.remote, f"file {change.relative}")
            state.files.pop(change.relative, None)
            self.report.files_deleted += 1

    def _upload_file(self, change: FileChange) -> tuple[FileChange, int | None]:
        """Upload one file; returns it with the `modified_at` the workspace gave the new copy."""
        from databricks.sdk.service.workspace import ImportFormat, Language

        assert change.local is not None
        content = io.BytesIO(change.local.read_bytes())
        if change.language and change.local.suffix.lower() == ".ipynb":
            call = lambda: self.client.workspace.upload(  # noqa: E731
                change.remote, content, format=ImportFormat.JUPYTER, overwrite=True
            )
        elif change.language:
            call = lambda: self.client.workspace.upload(  # noqa: E731
                change.remote,
                content,
                format=ImportFormat.SOURCE,
                language=Language(change.language),
                overwrite=True,
            )
        else:
            call = lambda: self.client.workspace.upload(  # noqa: E731
                change.remote, content, format=ImportFormat.AUTO, overwrite=True
            )
        from databricks.sdk.errors import NotFound

        try:
            self._write(call, f"file {change.relative}", "upload")
        except ApplyError as err:
            if not isinstance(err.__cause__, NotFound):
                raise
            # Its folder is gone from the workspace (deleted by hand): make it and try once more.
            self._mkdirs({change.remote.rsplit("/", 1)[0]})
            content.seek(0)
            self._write(call, f"file {change.relative}", "upload")
        return change, modified_at(self.client, change.remote)

    def _deletes(self, stage: DeleteStage, state: DeploymentState, ids: dict[str, str]) -> None:
        kind = self.kinds[stage.kind]
        for change in stage.changes:
            if not self._chosen(change):
                continue
            self._call(change, "delete", lambda c=change: kind.delete(str(c.id)))
            state.resources.pop(change.address, None)
            ids.pop(change.address, None)
            self.report.deleted.append(change.address)
            self.store.write(state, remote=False)

    def _apply(self, change: ResourceChange, state: DeploymentState, ids: dict[str, str]) -> None:
        kind = self.kinds[change.kind]
        try:
            filled = fill_references(change.config, ids, strict=True)
        except BrickyardError as err:
            raise ApplyError(change.address, "plan", err) from None
        settings, extras = split_settings(filled)
        if change.action is Action.RECREATE and change.id:
            self._call(change, "delete", lambda: kind.delete(str(change.id)))
            state.resources.pop(change.address, None)
            self.store.write(state, remote=False)
        if change.action in (Action.CREATE, Action.RECREATE):
            # The plan looked already when it could (a create with an id adopts it); else look now.
            adopted = change.id if change.action is Action.CREATE and change.id else None
            adopted = adopted or self._adopted(change, kind, settings)
            if adopted:
                new_id = self._call(change, "update", lambda: kind.update(adopted, settings))
            else:
                new_id = self._call(change, "create", lambda: kind.create(settings))
                new_id = self._one_of(change, kind, settings, new_id)
            self.report.created.append(change.address)
        else:
            new_id = self._call(change, "update", lambda: kind.update(str(change.id), settings))
            self.report.updated.append(change.address)
        ids[change.address] = new_id
        state.resources[change.address] = ResourceState(
            kind=change.kind,
            key=change.key,
            id=new_id,
            config=redact(filled),
            desired_hash=change.desired_hash,
        )
        self.store.write(state, remote=False)
        if extras.get("permissions"):
            self._call(change, "permissions", lambda: kind.set_permissions(new_id, extras["permissions"]))
        if extras.get("grants"):
            self._call(change, "grants", lambda: kind.set_grants(new_id, extras["grants"]))

    def _adopted(self, change: ResourceChange, kind: Kind, settings: dict[str, Any]) -> str | None:
        """The id of an instance this bundle created but never recorded, if there is one (a read)."""
        return next(iter(self._owned(change, kind, settings)), None)

    def _one_of(self, change: ResourceChange, kind: Kind, settings: dict[str, Any], new_id: str) -> str:
        """After a create, the one instance of this bundle's resource that stays.

        Two deploys at once (development mode has no lock) can both find nothing to adopt and both
        create. Each then sees both instances and keeps the same one, the oldest id, deleting the
        other, so exactly one remains whichever finishes first."""
        owned = sorted(set(self._owned(change, kind, settings)) | {new_id}, key=lambda i: (len(i), i))
        keep = owned[0]
        for other in owned[1:]:
            self._call(change, "delete", lambda o=other: _gone_ok(lambda: kind.delete(o)))
        if keep != new_id:
            self._call(change, "update", lambda: kind.update(keep, settings))
        return keep

    def _owned(self, change: ResourceChange, kind: Kind, settings: dict[str, Any]) -> list[str]:
        try:
            return list(kind.owned(settings))
        except Exception as err:
            raise ApplyError(change.address, "adopt", _cause(err)) from err

    # -- helpers ------------------------------------------------------------------------------

    def _finish(self, state: DeploymentState) -> None:
        changed = bool(self.report.created or self.report.updated or self.report.deleted) or bool(
            self.report.files_uploaded or self.report.files_deleted or self.report.artifacts_uploaded
        )
        if not changed:
            return
        state.serial = self.plan.state.serial + 1
        state.host = str(self.client.config.host or "").rstrip("/")
        state.root_path = self.plan.root_path
        state.deployed_at = datetime.now(UTC).isoformat(timespec="seconds")
        state.deployed_by = self.deployed_by
        state.brickyard_version = __version__
        self.store.write(state, remote=False)
        if self.claim_release is not None:
            self.release = state.release = self.claim_release()
            self.store.write(state, remote=False)
        self._write(lambda: self.store.write(state), "deployment state", "write")

    def _mkdirs(self, directories: set[str]) -> None:
        leaves = {d for d in directories if not any(o != d and o.startswith(d + "/") for o in directories)}
        for directory in sorted(leaves):
            self._write(
                lambda d=directory: self.client.workspace.mkdirs(d), f"directory {directory}", "mkdirs"
            )

    def _delete_path(self, path: str, what: str) -> None:
        from databricks.sdk.errors import NotFound

        def delete() -> None:
            with contextlib.suppress(NotFound):
                self.client.workspace.delete(path)

        self._write(delete, what, "delete")

    def _write(self, call: Any, what: str, stage: str) -> Any:
        with self._count:  # uploads run on several threads
            self.report.writes += 1
        try:
            return call()
        except BrickyardError:
            raise
        except Exception as err:
            raise ApplyError(what, stage, _cause(err)) from err

    def _call(self, change: ResourceChange, stage: str, call: Any) -> Any:
        return self._write(call, change.address, stage)

    def _chosen(self, change: ResourceChange) -> bool:
        return not self.selected or change.address in self.selected


def _gone_ok(call: Any) -> None:
    from databricks.sdk.errors import NotFound

    with contextlib.suppress(NotFound):
        call()


def _cause(err: Exception) -> str:
    name = type(err).__name__
    text = str(err).strip() or name
    return text if name in text else f"{text} ({name})"
