"""The composition root: the whole local workspace built in one pass, each part given what it needs.

Order is dependency order: the database and its stores, the worker pool and the engine (`Compute`),
the run credentials, the pipeline updates and their runner, the task runners, the job scheduler
and the thread that runs jobs on their schedules and triggers, then the routes' view of all that (`services.Services`). Nothing is filled in later, so nothing
checks whether it was. The server's address is known before (the socket is bound first), which is
what lets runs quote their page URL from the start.

`WiredWorkspace` owns what it built and stops it in the reverse order: runs and updates first (their
threads still use the rest), then the engine, the fork server, and the database last.
"""

from __future__ import annotations

import os
import secrets as pysecrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickyard.bundle.identity import local_user_name
from brickyard.local.engine import DEFAULT_CATALOGS
from brickyard.local.faults import FaultTable
from brickyard.local.home import LocalHome
from brickyard.local.runs import control
from brickyard.local.runs.compute import Compute
from brickyard.local.runs.dispatch import TaskDispatch
from brickyard.local.runs.execution import RunSetting
from brickyard.local.runs.identity import WorkspaceIdentity
from brickyard.local.runs.notices import RunNotices
from brickyard.local.runs.pipelines import PipelineRunner
from brickyard.local.runs.scheduler import Orchestrator
from brickyard.local.runs.tokens import RunTokens
from brickyard.local.runs.triggers import Triggers
from brickyard.local.runs.update_execution import UpdateSetting
from brickyard.local.runs.updates import PipelineUpdates
from brickyard.local.runs.worker_task import WorkerTasks
from brickyard.local.runs.workers import WorkerPool
from brickyard.local.samples import Samples
from brickyard.local.server.services import Services
from brickyard.local.sql.service import SqlWarehouses
from brickyard.local.store.catalog import CatalogStore
from brickyard.local.store.clusters import ClusterStore
from brickyard.local.store.db import Database
from brickyard.local.store.dbfs import Dbfs
from brickyard.local.store.jobs import JobStore
from brickyard.local.store.objects import ObjectStores
from brickyard.local.store.permissions import PermissionStore
from brickyard.local.store.pipeline_events import EventStore
from brickyard.local.store.pipelines import PipelineStore
from brickyard.local.store.repos import RepoStore
from brickyard.local.store.runs import RunStore
from brickyard.local.store.secrets import SecretStore
from brickyard.local.store.uc_volumes import VolumeStore
from brickyard.local.store.unity import UnityStore
from brickyard.local.store.volumes import Volumes
from brickyard.local.store.warehouses import WarehouseStore
from brickyard.local.store.workspace import WorkspaceTree
from brickyard.local.ui.signin import SignIn


@dataclass(frozen=True)
class WiredWorkspace:
    """A built local workspace: the routes' view, the app, and the parts whose life it manages."""

    services: Services
    tokens: RunTokens
    db: Database
    pool: WorkerPool
    token: str
    """The workspace token, for the server log to redact."""
    triggers: Triggers

    def app(self) -> Any:
        from brickyard.local.server.app import create_app

        return create_app(self.services, self.tokens.accepts, self.token)

    def recover(self) -> None:
        """Close the runs and pipeline updates a previous server left in progress."""
        self.services.orchestrator.recover()
        self.services.pipeline_updates.recover()

    def start(self) -> None:
        """Start the thread that runs jobs on their schedules and triggers (`runs.triggers`)."""
        self.triggers.start()

    def prestart(self) -> None:
        """Start the fork server and the engine now rather than at the first run."""
        self.pool.start()
        self.services.compute.default_remote()

    def close(self) -> None:
        self.triggers.stop()
        self.services.orchestrator.shutdown()
        self.services.pipeline_updates.shutdown()
        self.services.sql.close()
        self.services.compute.stop()
        self.pool.close()
        self.db.close()


def build(
    home: LocalHome, token: str, host: str, faults: FaultTable | None = None, sql_url: str = ""
) -> WiredWorkspace:
    """`sql_url`: where SQL clients connect (the HTTPS listener); `host` when there is none."""
    home.create()
    db = Database(home.metadata_db)
    identity = WorkspaceIdentity(host=host, workspace_id=_workspace_id(db), user=local_user_name())
    user = identity.user
    tree = WorkspaceTree(db, home.workspace_root, user)
    catalog = CatalogStore(db)
    unity = UnityStore(db, catalog, user, identity.workspace_id)
    clusters = ClusterStore(db, user)
    runs = RunStore(db)
    jobs = JobStore(db)
    pipelines = PipelineStore(db)
    events = EventStore(db)

    pool = WorkerPool(home.runs_dir, worker_env(host))
    compute = Compute(home, pool, [*DEFAULT_CATALOGS, *unity.created_catalogs()])
    tokens = RunTokens(token)
    samples = Samples(home, catalog)

    updates = PipelineUpdates(
        UpdateSetting(
            home, pipelines, events, catalog, compute, pool, tokens, host, db.release_thread, samples
        )
    )
    dispatch = TaskDispatch(
        in_worker=WorkerTasks(home, clusters, catalog, compute, pool, samples),
        in_server=control.handlers(PipelineRunner(pipelines, updates, events)),
    )
    notices = RunNotices.for_workspace(db, home.runs_dir, os.environ)
    orchestrator = Orchestrator(
        RunSetting(runs, home.runs_dir, identity, dispatch, tokens, db.release_thread, notices), jobs
    )
    volumes = Volumes(home.storage_root)
    triggers = Triggers(jobs, runs, orchestrator.run_now, _arrival_path(volumes, tree), db)
    services = Services(
        home=home,
        host=host,
        user=user,
        workspace_id=identity.workspace_id,
        started_at=time.time(),
        tree=tree,
        dbfs=Dbfs(home.storage_root),
        volumes=volumes,
        secrets=SecretStore(db),
        jobs=jobs,
        runs=runs,
        clusters=clusters,
        repos=RepoStore(db, tree, user),
        permissions=PermissionStore(db),
        catalog=catalog,
        samples=samples,
        pipelines=pipelines,
        pipeline_events=events,
        unity=unity,
        volumes_uc=VolumeStore(db, unity, home.storage_root),
        warehouses=WarehouseStore(db, user),
        sql=SqlWarehouses(home, compute, catalog, samples),
        sql_url=sql_url or host,
        objects=ObjectStores(db),
        compute=compute,
        faults=faults or FaultTable(),
        orchestrator=orchestrator,
        pipeline_updates=updates,
        signin=SignIn(token, identity.workspace_id, host),
    )
    return WiredWorkspace(services, tokens, db, pool, token, triggers)


def _arrival_path(volumes: Volumes, tree: WorkspaceTree) -> Callable[[str], Path]:
    """Where a file-arrival trigger's `url` is on disk: a volume path, or a workspace path."""

    def path_of(url: str) -> Path:
        return volumes.file_of(url.rstrip("/")) if url.startswith("/Volumes/") else tree.file_of(url)

    return path_of


def _workspace_id(db: Database) -> str:
    """Random once per workspace, then kept: clients cache it with the host."""
    workspace_id = db.get_meta("workspace_id")
    if workspace_id is None:
        workspace_id = str(1_000_000_000_000_000 + pysecrets.randbelow(8_999_999_999_999_999))
        db.set_meta("workspace_id", workspace_id)
    return workspace_id


def worker_env(host: str) -> dict[str, str]:
    """The server's environment minus any Databricks settings, plus the workspace's address, so
    user code that builds a `WorkspaceClient()` talks to this workspace, as it would on Databricks.
    No token: each run brings its own (`runs.tokens`). No SMTP settings either: they are the
    server's, for job notifications (`runs.notices`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABRICKS_", "BRICKYARD_SMTP_"))}
    env["DATABRICKS_HOST"] = host
    return env
