"""Computing a plan: the bundle (desired) against the state (deployed) and the workspace (actual).

Nothing here writes anything. Files are compared by content hash with the state; resources by
their configuration, field by field, after filling references with the ids the state knows; a
resource the state lists but the workspace no longer has is planned for creation again. Local
library files (wheels built by `artifacts:`, checked-in jars) become content-addressed uploads
under the artifact path, and the libraries that name them point at the upload.
"""

from __future__ import annotations

import glob
from collections.abc import Callable
from pathlib import Path
from typing import Any

from brickyard.bundle.model import DEPLOYABLE_KINDS, Bundle
from brickyard.plan.files import LocalFile, file_hash
from brickyard.plan.model import Action, ArtifactUpload, FileAction, FileChange, Plan, ResourceChange
from brickyard.plan.resources import changed_fields, fill_references, fingerprint, needs_recreate
from brickyard.state.model import DeploymentState, ResourceState

Exists = Callable[[ResourceState], bool]
"""Asks the workspace whether a resource from the state still exists (a read, never a write)."""

_LIBRARY_KEYS = ("whl", "jar", "requirements")


def build_plan(bundle: Bundle, state: DeploymentState, files: list[LocalFile], exists: Exists | None) -> Plan:
    workspace = bundle.workspace
    file_path = str(workspace["file_path"])
    artifact_path = str(workspace["artifact_path"])
    warnings: list[str] = []
    uploads: dict[str, ArtifactUpload] = {}
    desired: dict[str, dict[str, Any]] = {}
    for kind in DEPLOYABLE_KINDS:
        for key, config in bundle.resources(kind).items():
            if kind == "jobs":
                config = _rewrite_libraries(bundle.root, config, artifact_path, state, uploads, warnings)
            desired[f"{kind}.{key}"] = config
    return Plan(
        bundle=bundle.name,
        target=bundle.target,
        host=bundle.host or "local",
        root_path=str(workspace["root_path"]),
        file_path=file_path,
        state=state,
        artifacts=tuple(uploads[k] for k in sorted(uploads)),
        files=tuple(_file_changes(files, state, file_path)),
        resources=tuple(_resource_changes(desired, state, exists)),
        warnings=tuple(warnings),
    )


def _file_changes(files: list[LocalFile], state: DeploymentState, file_path: str) -> list[FileChange]:
    changes = []
    local = {f.relative for f in files}
    for f in files:
        remote = f.remote(file_path)
        prev = state.files.get(f.relative)
        same = (
            prev is not None and prev.hash == f.hash and prev.remote == remote and prev.language == f.language
        )
        action = FileAction.UNCHANGED if same else FileAction.UPLOAD
        changes.append(FileChange(f.relative, action, remote, f.hash, f.language, f.path))
    for relative, prev in sorted(state.files.items()):
        if relative not in local:
            changes.append(FileChange(relative, FileAction.DELETE, prev.remote, prev.hash, prev.language))
    return changes


def _resource_changes(
    desired: dict[str, dict[str, Any]], state: DeploymentState, exists: Exists | None
) -> list[ResourceChange]:
    first: dict[str, tuple[Action, str]] = {}
    for address, config in desired.items():
        prev = state.resources.get(address)
        if prev is None:
            first[address] = (Action.CREATE, "")
        elif exists is not None and not exists(prev):
            first[address] = (Action.CREATE, "deleted in the workspace since the last deploy")
        else:
            fields = changed_fields(prev.config, fill_references(config, state.ids()))
            recreate = needs_recreate(prev.kind, fields)
            if recreate:
                first[address] = (Action.RECREATE, f"{', '.join(recreate)} cannot change in place")
            else:
                first[address] = (Action.UPDATE if fields else Action.UNCHANGED, "")
    # A resource created again gets a new id: whoever references it must be updated too.
    ids = {
        a: i
        for a, i in state.ids().items()
        if first.get(a, (None,))[0] not in (Action.CREATE, Action.RECREATE)
    }
    changes: list[ResourceChange] = []
    for address, config in desired.items():
        kind, key = address.split(".", 1)
        action, reason = first[address]
        prev = state.resources.get(address)
        fields: tuple[str, ...] = ()
        if prev is not None and action in (Action.UPDATE, Action.UNCHANGED, Action.RECREATE):
            fields = tuple(changed_fields(prev.config, fill_references(config, ids)))
            if action is Action.UNCHANGED and fields:
                action, reason = Action.UPDATE, "a resource it references is created again"
        changes.append(
            ResourceChange(
                kind=kind,
                key=key,
                action=action,
                id=prev.id if prev is not None and action is not Action.CREATE else None,
                config=config,
                desired_hash=fingerprint(config),
                changed_fields=fields,
                reason=reason,
            )
        )
    for address, prev in sorted(state.resources.items()):
        if address not in desired:
            changes.append(ResourceChange(prev.kind, prev.key, Action.DELETE, id=prev.id, config=prev.config))
    return changes


def _rewrite_libraries(
    root: Path,
    job: dict[str, Any],
    artifact_path: str,
    state: DeploymentState,
    uploads: dict[str, ArtifactUpload],
    warnings: list[str],
) -> dict[str, Any]:
    """Point local library paths at their uploads; register the uploads."""
    uploaded = {f.remote for files in state.artifacts.values() for f in files}

    def upload(pattern: str) -> list[str]:
        matches = sorted(Path(p) for p in glob.glob(str(root / pattern)) if Path(p).is_file())
        if not matches:
            warnings.append(f"library {pattern} matches no file yet; build it before deploying")
            return [pattern]
        remotes = []
        for path in matches:
            digest = file_hash(path)
            remote = f"{artifact_path}/.internal/{digest[:16]}/{path.name}"
            action = FileAction.UNCHANGED if remote in uploaded else FileAction.UPLOAD
            uploads[remote] = ArtifactUpload(path.relative_to(root).as_posix(), path, remote, digest, action)
            remotes.append(remote)
        return remotes

    def libraries(entries: list[Any]) -> list[Any]:
        out: list[Any] = []
        for entry in entries:
            key = next((k for k in _LIBRARY_KEYS if isinstance(entry, dict) and k in entry), None)
            if key is None or not _is_local(str(entry[key])):
                out.append(entry)
                continue
            out.extend({**entry, key: remote} for remote in upload(str(entry[key])))
        return out

    def task(t: dict[str, Any]) -> dict[str, Any]:
        t = dict(t)
        if isinstance(t.get("libraries"), list):
            t["libraries"] = libraries(t["libraries"])
        nested = t.get("for_each_task", {}).get("task") if isinstance(t.get("for_each_task"), dict) else None
        if isinstance(nested, dict):
            t["for_each_task"] = {**t["for_each_task"], "task": task(nested)}
        return t

    job = dict(job)
    if isinstance(job.get("tasks"), list):
        job["tasks"] = [task(t) if isinstance(t, dict) else t for t in job["tasks"]]
    if isinstance(job.get("environments"), list):
        envs = []
        for env in job["environments"]:
            spec = env.get("spec") if isinstance(env, dict) else None
            deps = spec.get("dependencies") if isinstance(spec, dict) else None
            if isinstance(deps, list):
                new_deps = [
                    r for d in deps for r in (upload(d) if isinstance(d, str) and _is_path(d) else [d])
                ]
                env = {**env, "spec": {**spec, "dependencies": new_deps}}
            envs.append(env)
        job["environments"] = envs
    return job


def _is_local(value: str) -> bool:
    return bool(value) and not value.startswith("/") and ":" not in value.split("/")[0] and "${" not in value


def _is_path(value: str) -> bool:
    return _is_local(value) and (value.endswith((".whl", ".jar", ".txt")) or value.startswith(("./", "../")))
