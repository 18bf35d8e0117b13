"""`brickyard drift`: what changed in the workspace behind brickyard's back.

Two questions, kept apart in the report because they call for different actions:

- drift: the workspace differs from what brickyard deployed (the state). A job edited or deleted
  in the UI, a notebook re-imported with other content, a notebook added under the bundle's files.
  Someone has to decide whether to keep it (change the bundle) or undo it (deploy, `jobs restore`).
- pending: the bundle differs from what brickyard deployed. That is `plan`, and `deploy` applies it.

Only drift fails a CI gate. Everything here reads; nothing writes.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from brickyard.context import AppContext
from brickyard.deploy.target import Target, open_target
from brickyard.errors import BrickyardError
from brickyard.plan.builder import Observed
from brickyard.plan.compare import FieldChange
from brickyard.plan.desired import Desired
from brickyard.plan.files import file_hash
from brickyard.plan.model import Plan
from brickyard.plan.resources import fill_references
from brickyard.releases.objects import (
    FileDrift,
    Unmanaged,
    file_drift,
    unmanaged_objects,
    unmanaged_resources,
)
from brickyard.releases.store import ReleaseStore
from brickyard.state.model import DeploymentState, FileState, ResourceState


@dataclass(frozen=True)
class DriftOptions:
    target: str | None = None
    variables: Sequence[str] = ()
    profile: str | None = None


@dataclass(frozen=True)
class ResourceDrift:
    address: str
    id: str
    change: Literal["modified", "deleted"]
    url: str = ""
    fields: tuple[FieldChange, ...] = ()

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "resource": self.address,
            "id": self.id,
            "change": self.change,
            "url": self.url,
        }
        if self.fields:
            doc["fields"] = [f.as_json() for f in self.fields]
        return doc


@dataclass
class DriftReport:
    bundle: str
    target: str
    serial: int = 0
    resources: list[ResourceDrift] = field(default_factory=list)
    files: list[FileDrift] = field(default_factory=list)
    unmanaged: list[Unmanaged] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)

    @property
    def drifted(self) -> bool:
        return bool(self.resources or self.files or self.unmanaged)

    def summary(self) -> str:
        parts = [
            f"{len(items)} {what}"
            for items, what in (
                (self.resources, "resource(s)"),
                (self.files, "file(s)"),
                (self.unmanaged, "object(s) not deployed by brickyard"),
            )
            if items
        ]
        return ", ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle,
            "target": self.target,
            "state_serial": self.serial,
            "drifted": self.drifted,
            "drift": {
                "resources": [r.as_json() for r in self.resources],
                "files": [f.as_json() for f in self.files],
                "unmanaged": [u.as_json() for u in self.unmanaged],
            },
            "pending": self.pending,
        }


def check_drift(ctx: AppContext, options: DriftOptions) -> DriftReport:
    target = open_target(ctx, options.target, options.variables, options.profile)
    state = target.read_state(ctx)
    desired = target.desired()
    report = DriftReport(target.bundle.name, target.bundle.target, state.serial)
    if state.resources or state.files:
        seen = target.observe(state)
        found = (
            _resource_drift(target, resource, seen[address]) for address, resource in state.resources.items()
        )
        report.resources = sorted((d for d in found if d is not None), key=lambda d: d.address)
        report.files = file_drift(target.client, state.files, _Originals(target))
        report.unmanaged = _unmanaged(target, state, desired)
    report.pending = _pending(target.plan(state, desired, check_remote=False))
    ctx.output.result(report.as_json(), lambda console: _render(console, report, state))
    return report


def _resource_drift(target: Target, resource: ResourceState, seen: Observed) -> ResourceDrift | None:
    kind = target.kinds.get(resource.kind)
    if kind is None:
        return None
    url = kind.url(target.base_url, resource.id)
    if not seen.exists:
        return ResourceDrift(resource.address, resource.id, "deleted", url)
    return ResourceDrift(resource.address, resource.id, "modified", url, seen.edits) if seen.edits else None


def _unmanaged(target: Target, state: DeploymentState, desired: Desired) -> list[Unmanaged]:
    workspace = target.bundle.workspace
    root = state.root_path or str(workspace["root_path"])
    roots = [root, str(workspace["file_path"]), str(workspace["artifact_path"])]
    known = [f.remote for f in state.files.values()]
    known += [a.remote for files in state.artifacts.values() for a in files]
    objects = unmanaged_objects(target.client, roots, [str(workspace["state_path"])], known)
    configs = [(r.kind, r.config) for r in state.resources.values()]
    configs += [(a.split(".", 1)[0], fill_references(c, state.ids())) for a, c in desired.resources.items()]
    resources = unmanaged_resources(target.kinds, configs, set(state.ids().values()))
    return objects + resources


def _pending(plan: Plan) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for change in plan.changed_resources():
        doc: dict[str, Any] = {"resource": change.address, "action": change.action.value}
        if change.changed_fields:
            doc["fields"] = list(change.changed_fields)
        out.append(doc)
    out += [{"file": f.relative, "action": f.action.value} for f in plan.changed_files()]
    out += [
        {"artifact": a.name, "action": a.action.value}
        for a in plan.artifacts
        if a.action.value != "unchanged"
    ]
    return out


class _Originals:
    """The bytes deployed for a file: the checkout's copy if unchanged, else the latest release's."""

    def __init__(self, target: Target) -> None:
        self._target = target
        self._lock = threading.Lock()
        self._archive: dict[str, bytes] | None = None
        self._hashes: dict[str, str] = {}

    def __call__(self, relative: str, recorded: FileState) -> bytes | None:
        local = self._target.bundle.root / relative
        if local.is_file() and file_hash(local) == recorded.hash:
            return local.read_bytes()
        with self._lock:
            if self._archive is None:
                self._archive = self._load()
        if self._hashes.get(relative) != recorded.hash:
            return None
        return self._archive.get(relative)

    def _load(self) -> dict[str, bytes]:
        store = ReleaseStore(self._target.client, self._target.store.state_path)
        try:
            latest = store.index().latest
            if latest is None:
                return {}
            release = store.get(latest.content_of)
            data = store.read_archive(release)
        except BrickyardError:
            return {}
        self._hashes = {k: f.hash for k, f in release.files.items()}
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}


def _render(console: Any, report: DriftReport, state: DeploymentState) -> None:
    from rich.text import Text

    if not state.resources and not state.files:
        console.print(Text(f"Nothing is deployed to {report.target} yet: no drift to look for."))
    elif not report.drifted:
        console.print(
            Text(
                f"No drift: {report.target} matches what brickyard deployed (serial {report.serial}).",
                "green",
            )
        )
    else:
        console.print(
            Text(f"Drift on {report.target}: the workspace differs from what brickyard deployed", "bold")
        )
        for r in report.resources:
            if r.change == "deleted":
                console.print(Text(f"  - {r.address} ({r.id}): deleted in the workspace", "red"))
                continue
            console.print(Text(f"  ~ {r.address} ({r.id}): changed in the workspace  {r.url}", "yellow"))
            for f in r.fields:
                console.print(Text(f"      {_describe(f)}"))
        for fd in report.files:
            console.print(Text(f"  ~ {fd.relative}: {fd.change} in the workspace ({fd.remote})", "yellow"))
        for u in report.unmanaged:
            name = f" {u.name!r}" if u.name else ""
            console.print(Text(f"  + {u.what}{name} {u.where}: not deployed by brickyard", "yellow"))
        console.print(
            Text(
                "Keep a change by putting it into the bundle; put jobs back with `brickyard jobs restore`; "
                "`brickyard deploy` re-creates deleted resources.",
                "dim",
            )
        )
    if report.pending:
        console.print(
            Text("Pending: the bundle differs from what was deployed (`brickyard deploy` applies it)", "bold")
        )
        for p in report.pending:
            what = p.get("resource") or p.get("file") or p.get("artifact")
            fields = f": {', '.join(p['fields'])}" if p.get("fields") else ""
            console.print(Text(f"  {p['action']} {what}{fields}"))


def _describe(change: FieldChange) -> str:
    if change.change == "added":
        return f"+ {change.path} = {_short(change.actual)} (added)"
    if change.change == "removed":
        return f"- {change.path} (was {_short(change.deployed)}, removed)"
    return f"{change.path}: {_short(change.deployed)} → {_short(change.actual)}"


def _short(value: Any, width: int = 70) -> str:
    import json

    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"
