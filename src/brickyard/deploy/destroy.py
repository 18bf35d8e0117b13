"""`brickyard destroy`: delete what the state says this bundle created, and nothing else.

Destroy is a plan against an empty desired deployment: its delete stages, walked as deploy walks
them, kinds in reverse rank (jobs before the pipelines they run, volumes before their schema).
Then the bundle's own folders under its root path (synced files, artifacts, state), each in one
call rather than file by file. A resource already gone is fine. The state shrinks as resources go,
so an interrupted destroy can simply be run again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from brickyard.context import AppContext
from brickyard.deploy.apply import Applier
from brickyard.deploy.target import Target, open_target
from brickyard.errors import BrickyardError
from brickyard.plan.builder import build_plan
from brickyard.plan.desired import Desired
from brickyard.plan.model import DeleteStage, Plan
from brickyard.state.model import DeploymentState


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
    if not state.resources and not state.files and not state.artifacts and not _leftovers(target):
        ctx.output.result(
            {"deleted": [], "paths": []},
            f"Nothing to destroy: {bundle.name} is not deployed to {bundle.target}",
        )
        return report
    plan = destroy_plan(target, state)
    listing = ", ".join(r.address for r in plan.resources) or "no resources"
    ctx.output.info(
        f"Destroying {bundle.name} on target {bundle.target}: {listing}, and {bundle.workspace['root_path']}"
    )
    if not auto_approve and not ctx.output.confirm("Delete all of it?"):
        raise BrickyardError(
            "destroy needs approval: re-run interactively to confirm, or pass --auto-approve"
        )
    with target.locked(force_lock, ctx.output.confirm):
        applier = Applier(
            target.client, plan, target.store, target.kinds, ctx.output, bundle.current_user.user_name
        )
        ids = state.ids()
        for stage in plan.stages:
            if isinstance(stage, DeleteStage):
                applier.execute(stage, state, ids)
        report.deleted = applier.report.deleted
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


def destroy_plan(target: Target, state: DeploymentState) -> Plan:
    """The plan that takes the target to nothing: every resource the state lists, deleted."""
    workspace = target.bundle.workspace
    nothing = Desired(
        bundle=target.bundle.name,
        target=target.bundle.target,
        host=target.bundle.host or "local",
        root_path=str(workspace["root_path"]),
        file_path=str(workspace["file_path"]),
        artifact_path=str(workspace["artifact_path"]),
        resources={},
    )
    return build_plan(nothing, state, None, target.registry)


def _leftovers(target: Target) -> bool:
    """Whether a deploy that never saved its state (killed while uploading) left folders or its lock."""
    from databricks.sdk.errors import NotFound

    from brickyard.state.lock import LOCK_FILE

    workspace = target.bundle.workspace
    paths = [str(workspace[key]) for key in ("file_path", "artifact_path", "resource_path")]
    for path in [*paths, f"{workspace['state_path']}/{LOCK_FILE}"]:
        try:
            target.client.workspace.get_status(path)
        except NotFound:
            continue
        return True
    return False


def _remove_if_empty(target: Target, path: str) -> None:
    from databricks.sdk.errors import NotFound

    client = target.client
    try:
        if not list(client.workspace.list(path)):
            client.workspace.delete(path)
    except NotFound:
        pass
