"""Deploying a bundle: build, plan, lock, apply, record.

`deploy_bundle` is what `brickyard deploy` runs. It builds the artifacts, computes the plan (reads
only), stops there when nothing changed (no lock, no write), asks before destructive changes,
takes the deploy lock (outside development mode), re-checks that nobody deployed in between,
executes the stages of the plan it showed (saying once per kind what the local workspace cannot
run), and records a release. Rollback and promotion reuse `apply_desired`
with content taken from a release instead of the checkout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from brickyard.context import AppContext
from brickyard.deploy.apply import Applier, ApplyReport
from brickyard.deploy.artifacts import artifacts_of, build
from brickyard.deploy.edits import refuse_workspace_edits
from brickyard.deploy.target import Target, open_target
from brickyard.errors import BrickyardError, ReleaseError, StateError, UsageError
from brickyard.plan.desired import Desired
from brickyard.plan.explain import plan_json, plan_text
from brickyard.plan.model import Action, Plan
from brickyard.settings_file import settings_if_any


@dataclass(frozen=True)
class DeployOptions:
    target: str | None = None
    variables: Sequence[str] = ()
    profile: str | None = None
    select: Sequence[str] = ()
    force_lock: bool = False
    auto_approve: bool = False
    force: bool = False
    """Deploy even from a git branch the target does not allow, or over files edited in the workspace."""
    terminate_clusters: bool = False
    """Terminate the clusters this deploy created or changed (also brickyard.yml `clusters`)."""


@dataclass
class Outcome:
    plan: Plan
    report: ApplyReport
    release: Any = None
    """The Release recorded, when something changed (or an earlier deploy left it unrecorded)."""
    state_written: bool = False
    """The plan was empty, but the workspace's copy of the state was behind and was written."""

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"plan": plan_json(self.plan), "applied": self.report.as_json()}
        if self.release is not None:
            doc["release"] = self.release.number
        if self.state_written:
            doc["state_written"] = True
        return doc


def plan_bundle(ctx: AppContext, options: DeployOptions) -> Plan:
    """What deploy would do now, without building or writing anything."""
    target = open_target(ctx, options.target, options.variables, options.profile)
    if target.session.redirected_from:
        ctx.output.info(
            f"--local: planning target {target.bundle.target} against the local workspace, "
            f"not {target.session.redirected_from}"
        )
    plan = target.plan(target.read_state(ctx))
    for folder in plan_git_folders(target):
        ctx.output.info(folder.describe())

    def render(console: Any) -> None:
        for line in plan_text(plan):
            console.print(line)

    ctx.output.result(plan_json(plan), render)
    return plan


def deploy_bundle(ctx: AppContext, options: DeployOptions) -> ApplyReport:
    target = open_target(ctx, options.target, options.variables, options.profile)
    from brickyard.releases.branches import check_branch

    check_branch(target, force=options.force)
    selected = _selection(target, options.select)
    secret_values = _secret_values(ctx, target)  # read first: a missing value changes nothing
    folders = plan_git_folders(target)  # a ref the target does not take stops the deploy here
    if target.stood_in:
        _prepare_local(ctx, target)
    for artifact in artifacts_of(target.bundle):
        with ctx.output.progress(f"Building {artifact.name} ({artifact.build})"):
            result = build(artifact, dict(ctx.environ))
        ctx.output.info(f"Built {', '.join(p.name for p in result.files)} in {result.seconds:.1f}s")
    desired = target.desired()
    for note in target.stand_ins:
        ctx.output.info(f"--local: {note}")
    outcome = apply_desired(
        ctx,
        target,
        desired,
        auto_approve=options.auto_approve,
        force_lock=options.force_lock,
        selected=selected,
        config=target.bundle.as_json(),
        keep_workspace_edits=not options.force,
    )
    _report(ctx, target, outcome)
    settle_clusters(ctx, target, outcome, options.terminate_clusters)
    apply_git_folders(ctx, target, folders)
    if secret_values is not None:
        _put_secret_values(ctx, target, secret_values)
    return outcome.report


def settle_clusters(ctx: AppContext, target: Target, outcome: Outcome, flag: bool = False) -> None:
    from brickyard.deploy.clusters import terminate_touched, wants_termination

    if wants_termination(target, flag):
        terminate_touched(ctx, target, [*outcome.report.created, *outcome.report.updated])


def plan_git_folders(target: Target, git: Any = None, root: Any = None) -> Any:
    """The target's git folders (brickyard.yml `git_folders` of the project at `root`, default the
    bundle's) at the ref of `git` (default: the checkout's)."""
    settings = settings_if_any(root or target.bundle.root)
    if settings is None or not settings.git_folders:
        return []
    from brickyard.gitfolders.sync import plan_folders
    from brickyard.releases.record import current_git

    return plan_folders(target.client, settings, target.bundle.target, git or current_git(target))


def apply_git_folders(ctx: AppContext, target: Target, folders: Any) -> None:
    if not folders:
        return
    from brickyard.gitfolders.sync import apply_folders

    for line in apply_folders(target.client, folders):
        ctx.output.info(line)


def _secret_values(ctx: AppContext, target: Target) -> Any:
    """The target's secret values when brickyard.yml configures them, read before anything is applied."""
    settings = settings_if_any(target.bundle.root)
    if settings is None:
        return None
    from brickyard.secrets.sync import configured, read_values

    if not configured(settings, target.bundle.target):
        return None
    return read_values(target.bundle, settings, ctx.environ)


def _put_secret_values(ctx: AppContext, target: Target, values: Any) -> None:
    from brickyard.secrets.sync import put_values
    from brickyard.settings import load_settings

    report = put_values(target.client, target.bundle, load_settings(target.bundle.root), values)
    count = sum(len(keys) for keys in report.put.values())
    ctx.output.info(f"Put {count} secret(s) from {report.backend} into {', '.join(report.put)}")


def apply_desired(
    ctx: AppContext,
    target: Target,
    desired: Desired,
    *,
    auto_approve: bool,
    force_lock: bool,
    config: dict[str, Any],
    selected: frozenset[str] = frozenset(),
    record: dict[str, Any] | None = None,
    keep_workspace_edits: bool = False,
) -> Outcome:
    """Plan `desired` against the target, apply it under the lock, and record a release.

    `record` passes the release's kind, source and content_of for rollbacks and promotions.
    `keep_workspace_edits` refuses to replace files edited in the workspace since they were deployed.
    """
    from concurrent.futures import ThreadPoolExecutor

    from brickyard.deploy.settle import read_index, settle
    from brickyard.releases.record import record_release

    state = target.read_state(ctx)
    with ThreadPoolExecutor(max_workers=1) as beside:
        # Whether the state's release was recorded is asked while the plan reads the resources.
        index = beside.submit(read_index, target) if state.release is not None and not selected else None
        plan = target.plan(state, desired)
    if not plan.has_changes:
        report = ApplyReport()
        recorder = None
        if not selected:
            recorder = lambda number: record_release(  # noqa: E731
                target, desired, report, config, **(record or {}), number=number
            )
        known = index.result() if index is not None else None
        settled = settle(target, state, force_lock, recorder, ctx.output.confirm, known)
        report.writes = settled.writes
        return Outcome(plan, report, settled.release, settled.state_written)
    _gate_secrets(target, plan)
    if keep_workspace_edits:
        refuse_workspace_edits(target.client, state, plan, "--force")
    _show(ctx, plan)
    _local_limits(ctx, target, plan)
    _approve(ctx, plan, auto_approve)
    with target.locked(force_lock, ctx.output.confirm):
        _check_unchanged(target, plan)
        applier = Applier(
            target.client,
            plan,
            target.store,
            target.kinds,
            ctx.output,
            target.bundle.current_user.user_name,
            selected,
            claim_release=None if selected else lambda: _release_number(target, state.release),
        )
        applier.run()
        release, number = None, applier.release
        if number is not None:
            try:
                release, writes = record_release(
                    target, desired, applier.report, config, **(record or {}), number=number
                )
            except Exception as err:
                raise ReleaseError(
                    f"the deploy was applied and its state saved, but recording its release failed: {err}; "
                    "deploy again to record one, or keep going without it"
                ) from err
            applier.report.writes += writes
    return Outcome(plan, applier.report, release)


def _prepare_local(ctx: AppContext, target: Target) -> None:
    """--local: the catalogs and schemas the target's real workspace would already have."""
    from brickyard.deploy.local_namespaces import create_missing, used_namespaces

    created = create_missing(target.client, used_namespaces(target.bundle))
    host = target.session.redirected_from
    ctx.output.info(
        f"--local: deploying target {target.bundle.target} to the local workspace"
        + (f", not {host}" if host else "")
        + (
            f"; created {', '.join(created)} there (the bundle uses them but does not define them)"
            if created
            else ""
        )
    )


def _release_number(target: Target, pending: int | None) -> int:
    """A new release number; or the one an earlier deploy of this state took but never recorded
    (it failed or was killed), so the numbers keep no gap."""
    from brickyard.releases.store import ReleaseStore

    store = ReleaseStore(target.client, target.store.state_path)
    index = store.index()
    if pending is not None and pending >= index.next_number():
        return pending
    return store.claim(index.next_number())


def _report(ctx: AppContext, target: Target, outcome: Outcome) -> None:
    report, bundle = outcome.report, target.bundle
    if not outcome.plan.has_changes and (outcome.state_written or outcome.release is not None):
        done = ["the workspace's copy of the state brought up to date"] if outcome.state_written else []
        if outcome.release is not None:
            done.append(f"release {outcome.release.number} recorded")
        ctx.output.result(
            outcome.as_json(),
            f"No changes to apply to {bundle.name} on target {bundle.target}; an earlier deploy was "
            f"finished: {' and '.join(done)}",
        )
        return
    if not outcome.plan.has_changes:
        ctx.output.success(f"No changes: {bundle.name} on target {bundle.target} is up to date")
        ctx.output.result(outcome.as_json(), "")
        return
    release = f" as release {outcome.release.number}" if outcome.release is not None else ""
    ctx.output.result(
        outcome.as_json(),
        f"Deployed {bundle.name} to {bundle.target}{release}: {len(report.created)} created, "
        f"{len(report.updated)} updated, {len(report.deleted)} deleted, {report.files_uploaded} file(s) and "
        f"{report.artifacts_uploaded} artifact(s) uploaded, {report.writes} write operations in {report.seconds:.1f}s",
    )


def _gate_secrets(target: Target, plan: Plan) -> None:
    """A plaintext secret in a file about to be uploaded stops the deploy (unchanged files passed before)."""
    from brickyard.scan.secrets import check_deploy_inputs
    from brickyard.settings import load_settings

    # Files brickyard adds itself (the backup job's task) are not the project's: only those at
    # their own relative path are scanned.
    changes = [
        f for f in plan.changed_files() if f.local is not None and f.local.as_posix().endswith(f.relative)
    ]
    if not changes:
        return
    # The files may come from a release archive rather than the checkout: scan them where they are.
    first = changes[0]
    assert first.local is not None
    root = first.local.parents[len(first.relative.split("/")) - 1]
    secrets = load_settings(target.bundle.root).secrets
    check_deploy_inputs([f.local for f in changes if f.local is not None], root, secrets)


def _show(ctx: AppContext, plan: Plan) -> None:
    if ctx.output.format == "text":
        ctx.output.show(plan_text(plan))


def _local_limits(ctx: AppContext, target: Target, plan: Plan) -> None:
    """Once per kind: what the local workspace stores but cannot run."""
    if not target.is_local:
        return
    kinds = dict.fromkeys(c.kind for c in plan.changed_resources() if c.action is not Action.DELETE)
    for name in kinds:
        kind = target.registry.get(name)
        if kind is not None and kind.local_note:
            ctx.output.warn(f"{name}: {kind.local_note}")


def _approve(ctx: AppContext, plan: Plan, auto_approve: bool) -> None:
    destructive = plan.destructive
    if not destructive or auto_approve:
        return
    names = ", ".join(f"{c.action.value} {c.address}" for c in destructive)
    if ctx.output.confirm(f"This deploy will {names}, which deletes data or history. Continue?"):
        return
    raise BrickyardError(
        f"destructive changes need approval: {names}. Re-run interactively to confirm, or pass --auto-approve"
    )


def _check_unchanged(target: Target, plan: Plan) -> None:
    current = target.store.read_remote()
    if current is not None and current.serial > plan.state.serial:
        raise StateError(
            f"another deploy changed {target.bundle.target} while this one was planning "
            f"(state serial {plan.state.serial} → {current.serial}); run the deploy again"
        )


def _selection(target: Target, select: Sequence[str]) -> frozenset[str]:
    known = set(target.declared())
    unknown = [s for s in select if s not in known]
    if unknown:
        raise UsageError(
            f"--select {', '.join(unknown)}: no such resource; choose from {', '.join(sorted(known))}"
        )
    return frozenset(select)
