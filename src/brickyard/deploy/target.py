"""Opening a target: the resolved bundle, its workspace client and its state, wired once.

plan, deploy, destroy, summary and run all start here, so they agree on who deploys (the user the
workspace reports), where the state lives and which resources are whose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brickyard.bundle import Bundle, LoadOptions, load_bundle
from brickyard.bundle.loader import find_root
from brickyard.bundle.model import LOCAL_HOSTS
from brickyard.context import AppContext
from brickyard.deploy.lookups import fill_variables, pending_lookups, resolve_lookups
from brickyard.plan.builder import Observed, build_plan
from brickyard.plan.compare import compare
from brickyard.plan.desired import Desired, desired_from_bundle
from brickyard.plan.model import Plan
from brickyard.plan.resources import split_settings
from brickyard.plan.sync_files import sync_inventory
from brickyard.resources import Kind, Registry
from brickyard.settings_file import settings_if_any
from brickyard.state.lock import DeployLock
from brickyard.state.model import DeploymentState, ResourceState
from brickyard.state.redact import redact
from brickyard.state.store import StateStore
from brickyard.workspace.session import WorkspaceSession, forced_local

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

READERS = 16
"""Resources read at once to see how the workspace holds them (the SDK keeps 20 connections)."""


@dataclass
class Target:
    bundle: Bundle
    session: WorkspaceSession
    store: StateStore
    registry: Registry
    kinds: dict[str, Kind]
    """The registry's kinds, bound to this target's client."""
    stand_ins: list[str] = field(default_factory=list)
    """`--local`: the clusters and warehouses of the real workspace that local ones stand in for."""

    @property
    def client(self) -> WorkspaceClient:
        return self.session.client()

    @property
    def is_local(self) -> bool:
        """Whether the target is the embedded local workspace."""
        return (self.bundle.host or "").strip() in LOCAL_HOSTS

    @property
    def stood_in(self) -> bool:
        """`--local`: a target meant for another workspace, deployed to the local one instead."""
        return bool(self.session.redirected_from) or forced_local(self.session.environ)

    @property
    def base_url(self) -> str:
        return self.session.base_url

    @contextmanager
    def locked(self, force: bool = False, confirm: Callable[[str], bool] | None = None) -> Iterator[None]:
        """Hold the target's deploy lock (outside development mode, as `databricks bundle` does).

        `confirm` is asked whether to take over a stale lock (its holder on this machine is gone)."""
        if self.bundle.get("bundle", "deployment", "lock", "enabled") is False:
            yield
            return
        lock = DeployLock(self.client, self.store.state_path, self.bundle.current_user.user_name)
        lock.acquire(force=force, confirm=confirm)
        try:
            yield
        finally:
            lock.release()

    def read_state(self, ctx: AppContext) -> DeploymentState:
        state, warnings = self.store.read()
        for warning in warnings:
            ctx.output.warn(warning)
        return state

    def desired(self) -> Desired:
        """What the bundle in the checkout wants deployed, `lookup:` variables found by name."""
        sync = self.bundle.get("sync") or {}
        paths = sync.get("paths") or ["."]
        files = sync_inventory(self.bundle.root, paths, sync.get("include") or (), sync.get("exclude") or ())
        desired = desired_from_bundle(self.bundle, files, self.registry)
        desired = _with_backup_job(desired, self.bundle, self.is_local or self.stood_in)
        if self.stood_in:
            from brickyard.deploy.stand_ins import local_compute

            resources, self.stand_ins = local_compute(self.client, desired.resources)
            desired = replace(desired, resources=resources)
        lookups = pending_lookups(self.bundle.get("variables") or {})
        if not lookups:
            return desired
        values = resolve_lookups(self.client, lookups, stand_in=bool(self.session.redirected_from))
        resources = {
            address: fill_variables(settings, values) for address, settings in desired.resources.items()
        }
        return replace(desired, resources=resources)

    def plan(self, state: DeploymentState, desired: Desired | None = None, check_remote: bool = True) -> Plan:
        desired = desired or self.desired()
        observe, adopt = None, None
        if check_remote:
            with ThreadPoolExecutor(max_workers=READERS) as pool:
                # Files are trusted to the state (one read for all, not one per file), but a folder
                # deleted in the workspace would leave every file "unchanged" and missing.
                folder = pool.submit(self._exists_path, desired.file_path) if state.files else None
                seen = self.observe(state, pool)
            if folder is not None and not folder.result():
                state = state.model_copy(update={"files": {}})
            observe = lambda resource: seen[resource.address]  # noqa: E731
            adopt = self._adoptable
        plan = build_plan(desired, state, observe, self.registry, adopt)
        # --local: the plan is against the local workspace, whatever host the target names
        return replace(plan, host="local") if self.session.redirected_from else plan

    def _adoptable(self, kind_name: str, config: dict[str, Any]) -> str | None:
        """What a create would adopt instead (`Kind.owned`): a read, as deploy does it again."""
        kind = self.kinds.get(kind_name)
        if kind is None:
            return None
        settings, _extras = split_settings(config)
        return next(iter(kind.owned(settings)), None)

    def _exists_path(self, path: str) -> bool:
        from databricks.sdk.errors import NotFound

        try:
            self.client.workspace.get_status(path)
        except NotFound:
            return False
        return True

    def observe(self, state: DeploymentState, pool: ThreadPoolExecutor | None = None) -> dict[str, Observed]:
        """Every resource of the state as the workspace holds it: gone, or edited since deployed.

        One read per resource, `READERS` at a time (in `pool`, beside other reads, when given), so a
        no-op deploy stays quick; plan and drift share it.
        """
        if pool is None:
            with ThreadPoolExecutor(max_workers=READERS) as own:
                return self.observe(state, own)
        deployers = frozenset(u for u in (state.deployed_by, self.bundle.current_user.user_name) if u)
        resources = list(state.resources.values())
        found = pool.map(lambda r: self._observe(r, deployers), resources)
        return dict(zip([r.address for r in resources], found, strict=True))

    def _observe(self, resource: ResourceState, deployers: frozenset[str]) -> Observed:
        from databricks.sdk.errors import NotFound

        kind = self.kinds.get(resource.kind)
        if kind is None:
            return Observed(exists=True)
        try:
            actual = kind.settings(resource.id)
        except NotFound:
            return Observed(exists=False)
        deployed, _ = split_settings(resource.config)
        edits = compare(type(kind), deployed, redact(actual), deployers)
        return Observed(exists=True, edits=tuple(edits))

    def declared(self) -> list[str]:
        """Addresses of every resource the bundle declares, kinds in stage order."""
        return [f"{k.name}.{key}" for k in self.registry for key in self.bundle.resources(k.name)]


def open_target(
    ctx: AppContext,
    target: str | None,
    variables: Sequence[str] = (),
    profile: str | None = None,
    directory: Path | None = None,
    project_root: Path | None = None,
) -> Target:
    """`directory` loads the bundle from elsewhere than the working directory (a release's files);
    `project_root` keeps the local workspace the project's own when it does."""
    start = directory or ctx.cwd
    root = find_root(start, dict(ctx.environ))
    session = WorkspaceSession(project_root or root, profile=profile, environ=ctx.environ)
    bundle = load_bundle(
        start,
        LoadOptions(
            target=target,
            variables=variables,
            environ=ctx.environ,
            current_user=session.current_user,
            registry=ctx.resources,
        ),
    )
    ctx.output.diagnostics(bundle.warnings)
    client = session.client(bundle.host, bundle.profile)
    store = StateStore(
        client,
        str(bundle.workspace["state_path"]),
        cache_dir(project_root or bundle.root, bundle.target),
        bundle.name,
        bundle.target,
    )
    return Target(bundle, session, store, ctx.resources, ctx.resources.bind(client))


def cache_dir(root: Path, target: str) -> Path:
    return root / ".brickyard" / "targets" / target


def _with_backup_job(desired: Desired, bundle: Bundle, local: bool) -> Desired:
    settings = settings_if_any(bundle.root)
    if settings is None:
        return desired  # the backup job is declared in brickyard.yml
    from brickyard.dr.job import with_backup_job

    return with_backup_job(desired, bundle, settings.dr, local)
