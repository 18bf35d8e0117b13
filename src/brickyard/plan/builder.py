"""Computing a plan: the desired deployment against the state (deployed) and the workspace (actual).

Nothing here writes anything. Files are compared by content hash with the state; resources by
their configuration, field by field, after filling references with the ids the state knows (a
configuration whose fingerprint matches the state's and references nothing is unchanged without
a field walk); a resource the state lists but the workspace no longer has is planned for creation
again. The changes are then laid out as the plan's stages, in the order deploy executes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from brickyard.errors import PlanError
from brickyard.plan.compare import FieldChange
from brickyard.plan.desired import Desired
from brickyard.plan.files import LocalFile
from brickyard.plan.model import (
    Action,
    ArtifactStage,
    ArtifactUpload,
    DeleteStage,
    FileAction,
    FileChange,
    FileStage,
    Plan,
    ResourceChange,
    ResourceStage,
    Stage,
)
from brickyard.plan.resources import (
    apply_order,
    changed_fields,
    fill_references,
    fingerprint,
    needs_recreate,
    references,
)
from brickyard.resources import Registry
from brickyard.state.model import DeploymentState, ResourceState
from brickyard.state.redact import redact


@dataclass(frozen=True)
class Observed:
    """What the workspace holds for a resource the state lists."""

    exists: bool
    edits: tuple[FieldChange, ...] = ()
    """Fields changed in the workspace (the UI, another tool) since brickyard deployed them."""


Observe = Callable[[ResourceState], Observed]
"""Reads one resource from the workspace (a read, never a write)."""
Adopt = Callable[[str, dict[str, Any]], str | None]
"""The id of an instance in the workspace that a create of (kind, config) would adopt (a read)."""


def build_plan(
    desired: Desired,
    state: DeploymentState,
    observe: Observe | None,
    registry: Registry,
    adopt: Adopt | None = None,
) -> Plan:
    uploaded = {f.remote for files in state.artifacts.values() for f in files}
    artifacts = tuple(
        ArtifactUpload(
            a.name,
            a.local,
            a.remote,
            a.hash,
            FileAction.UNCHANGED if a.remote in uploaded or a.local is None else FileAction.UPLOAD,
        )
        for a in desired.artifacts
    )
    referencing = _check_references(desired, state, registry)
    files = tuple(_file_changes(list(desired.files), state, desired.file_path))
    resources = _resource_changes(dict(desired.resources), state, observe, registry, adopt, referencing)
    stages: list[Stage] = []
    if artifacts:
        stages.append(ArtifactStage(artifacts))
    if files:
        stages.append(FileStage(files))
    stages += _stages(resources, registry)
    return Plan(
        bundle=desired.bundle,
        target=desired.target,
        host=desired.host,
        root_path=desired.root_path,
        file_path=desired.file_path,
        state=state,
        stages=tuple(stages),
        warnings=desired.warnings,
    )


def _check_references(desired: Desired, state: DeploymentState, registry: Registry) -> set[str]:
    """A `${resources.…}` reference deploy could never fill is refused while planning, before
    anything is uploaded or applied (not halfway through the apply that would need it). Returns
    the addresses of the resources that hold references."""
    referencing: set[str] = set()
    for address, config in desired.resources.items():
        for kind, key, attr in references(config):
            referencing.add(address)
            reference = f"${{resources.{kind}.{key}.{attr}}}"
            target = f"{kind}.{key}"
            if attr != "id":
                what = f"only .id can be referenced, not .{attr}"
            elif kind not in registry:
                what = f"{kind} are not deployable by brickyard yet, so {target} has no id"
            elif target not in desired.resources and state.resource(kind, key) is None:
                what = f"the bundle defines no {target}"
            else:
                continue
            raise PlanError(f"{address}: cannot fill {reference}: {what}")
    return referencing


def _stages(changes: list[ResourceChange], registry: Registry) -> list[Stage]:
    """One stage per run of a kind in apply order, then the deletes, kinds in reverse rank."""
    by_address = {c.address: c for c in changes}
    live = [c.address for c in changes if c.action is not Action.DELETE]
    stages: list[Stage] = []
    run: list[ResourceChange] = []
    for address in apply_order(live, {a: c.config for a, c in by_address.items()}, registry):
        change = by_address[address]
        if run and run[-1].kind != change.kind:
            stages.append(ResourceStage(run[0].kind, tuple(run)))
            run = []
        run.append(change)
    if run:
        stages.append(ResourceStage(run[0].kind, tuple(run)))
    doomed: dict[str, list[ResourceChange]] = {}
    for change in changes:
        if change.action is Action.DELETE:
            doomed.setdefault(change.kind, []).append(change)
    for kind in sorted(doomed, key=registry.rank, reverse=True):
        stages.append(DeleteStage(kind, tuple(sorted(doomed[kind], key=lambda c: c.address))))
    return stages


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
    desired: dict[str, dict[str, Any]],
    state: DeploymentState,
    observe: Observe | None,
    registry: Registry,
    adopt: Adopt | None,
    referencing: set[str],
) -> list[ResourceChange]:
    first: dict[str, tuple[Action, str]] = {}
    adopted: dict[str, str] = {}
    """Creates that will take over an instance already in the workspace (`Kind.owned`)."""
    seen = {a: observe(r) for a, r in state.resources.items() if a in desired} if observe else {}
    known = state.ids()
    differences: dict[str, list[str]] = {}
    """Fields that differ from the state, references filled with the ids the state knows."""
    fingerprinted: set[str] = set()
    """Unchanged by fingerprint, referencing nothing: no field to compare."""
    for address, config in desired.items():
        prev = state.resources.get(address)
        if prev is None:
            found = adopt(address.split(".", 1)[0], config) if adopt else None
            if found:
                adopted[address] = found
            first[address] = (Action.CREATE, f"adopts {found}, already in the workspace" if found else "")
        elif address in seen and not seen[address].exists:
            first[address] = (Action.CREATE, "deleted in the workspace since the last deploy")
        else:
            same = prev.desired_hash == fingerprint(config) and address not in referencing
            if same:
                fingerprinted.add(address)
            differ = differences[address] = (
                [] if same else changed_fields(prev.config, redact(fill_references(config, known)))
            )
            recreate = needs_recreate(_recreate_fields(registry, prev.kind), differ)
            if recreate:
                first[address] = (Action.RECREATE, f"{', '.join(recreate)} cannot change in place")
            else:
                first[address] = (Action.UPDATE if differ else Action.UNCHANGED, "")
    # A resource created again gets a new id: whoever references it must be updated too.
    ids = {a: i for a, i in known.items() if first.get(a, (None,))[0] not in (Action.CREATE, Action.RECREATE)}
    changes: list[ResourceChange] = []
    for address, config in desired.items():
        kind, key = address.split(".", 1)
        action, reason = first[address]
        prev = state.resources.get(address)
        fields: tuple[str, ...] = ()
        if prev is not None and action in (Action.UPDATE, Action.UNCHANGED, Action.RECREATE):
            fields = (
                tuple(differences[address])
                if ids == known or address in fingerprinted
                else tuple(changed_fields(prev.config, redact(fill_references(config, ids))))
            )
            if action is Action.UNCHANGED and fields:
                action, reason = Action.UPDATE, "a resource it references is created again"
            edited = tuple(edit.path for edit in seen[address].edits) if address in seen else ()
            if edited and action in (Action.UNCHANGED, Action.UPDATE):
                # The bundle wins: what was edited in the workspace is put back.
                fields = tuple(dict.fromkeys((*fields, *edited)))
                action, reason = Action.UPDATE, reason or "edited in the workspace since the last deploy"
        changes.append(
            ResourceChange(
                kind=kind,
                key=key,
                action=action,
                id=prev.id if prev is not None and action is not Action.CREATE else adopted.get(address),
                config=config,
                desired_hash=fingerprint(config),
                changed_fields=fields,
                reason=reason,
                loses_data=_loses_data(registry, kind),
            )
        )
    for address, prev in sorted(state.resources.items()):
        if address not in desired:
            changes.append(
                ResourceChange(
                    prev.kind,
                    prev.key,
                    Action.DELETE,
                    id=prev.id,
                    config=prev.config,
                    loses_data=_loses_data(registry, prev.kind),
                )
            )
    return changes


def _recreate_fields(registry: Registry, kind: str) -> tuple[str, ...]:
    found = registry.get(kind)
    return found.recreate_fields if found is not None else ()


def _loses_data(registry: Registry, kind: str) -> bool:
    found = registry.get(kind)
    return found.destructive if found is not None else False
