"""`brickyard destroy`: delete what the state says this bundle created, and nothing else.

Resources go in reverse dependency order (jobs before the pipelines they run, volumes before
their schema). Then the bundle's own folders under its root path (synced files, artifacts, state).
A resource already gone is fine. The state shrinks as resources go, so an interrupted destroy can
simply be run again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from brickyard.context import AppContext
from brickyard.deploy.target import open_target
from brickyard.errors import ApplyError, BrickyardError
from brickyard.plan.model import STAGES


@dataclass
class DestroyReport:
    deleted: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


def destroy_bundle(
    ctx: AppContext,
    target_name: str | None,
    variables: Sequence[str] = (),
    profile: str | None = None,
    auto_approve: bool = False,
    force_lock: bool = False,
) -> DestroyReport:
    from databricks.sdk.errors import NotFound

    target = open_target(ctx, target_name, variables, profile)
    state = target.read_state(ctx)
    bundle = target.bundle
    report = DestroyReport()
    if not state.resources and not state.files and not state.artifacts:
        ctx.output.result(
            {"deleted": [], "paths": []},
            f"Nothing to destroy: {bundle.name} is not deployed to {bundle.target}",
        )
        return report
    doomed = sorted(state.resources.values(), key=lambda r: -STAGES.index(r.kind) if r.kind in STAGES else 0)
    listing = ", ".join(r.address for r in doomed) or "no resources"
    ctx.output.info(
        f"Destroying {bundle.name} on target {bundle.target}: {listing}, and {bundle.workspace['root_path']}"
    )
    if not auto_approve and not ctx.output.confirm("Delete all of it?"):
        raise BrickyardError(
            "destroy needs approval: re-run interactively to confirm, or pass --auto-approve"
        )
    with target.locked(force_lock):
        for resource in doomed:
            try:
                target.kinds[resource.kind].delete(resource.id)
            except Exception as err:
                raise ApplyError(resource.address, "delete", err) from err
            state.resources.pop(resource.address)
            report.deleted.append(resource.address)
            target.store.write(state, remote=False)
        workspace = bundle.workspace
        for key in ("file_path", "artifact_path", "resource_path"):
            path = str(workspace[key])
            try:
                target.client.workspace.delete(path, recursive=True)
                report.paths.append(path)
            except NotFound:
                pass
    target.store.delete()
    _remove_if_empty(target, str(bundle.workspace["state_path"]))
    _remove_if_empty(target, str(bundle.workspace["root_path"]))
    ctx.output.result(
        {"deleted": report.deleted, "paths": report.paths},
        f"Destroyed {len(report.deleted)} resource(s) and {len(report.paths)} folder(s) of {bundle.name} on {bundle.target}",
    )
    return report


def _remove_if_empty(target: object, path: str) -> None:
    from databricks.sdk.errors import NotFound

    client = target.client  # type: ignore[attr-defined]
    try:
        if not list(client.workspace.list(path)):
            client.workspace.delete(path)
    except NotFound:
        pass
