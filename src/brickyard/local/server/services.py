"""Everything a request handler or a run needs, wired once when the server starts.

Route handlers reach it as `request.app.state.services` (`routes.deps.services`). It has no logic of
its own beyond opening and closing its parts in the right order: runs stop first, then the engine,
then the fork server, and the database closes last.
"""

from __future__ import annotations

import os
import secrets as pysecrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from brickyard.bundle.identity import local_user_name
from brickyard.local.engine import DEFAULT_CATALOGS
from brickyard.local.faults import FaultTable
from brickyard.local.home import LocalHome
from brickyard.local.runs.compute import Compute
from brickyard.local.runs.pipelines import PipelineRunner
from brickyard.local.runs.updates import PipelineUpdates
from brickyard.local.runs.workers import WorkerPool
from brickyard.local.sql.service import SqlWarehouses
from brickyard.local.store.catalog import CatalogStore
from brickyard.local.store.clusters import ClusterStore
from brickyard.local.store.db import Database
from brickyard.local.store.dbfs import Dbfs
from brickyard.local.store.jobs import JobStore
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

if TYPE_CHECKING:
    from brickyard.local.runs.scheduler import Orchestrator


@dataclass
class Services:
    home: LocalHome
    token: str
    db: Database
    user: str
    workspace_id: str
    tree: WorkspaceTree
    dbfs: Dbfs
    volumes: Volumes
    secrets: SecretStore
    jobs: JobStore
    runs: RunStore
    clusters: ClusterStore
    repos: RepoStore
    permissions: PermissionStore
    catalog: CatalogStore
    pipelines: PipelineStore
    pipeline_events: EventStore
    unity: UnityStore
    volumes_uc: VolumeStore
    warehouses: WarehouseStore
    sql: SqlWarehouses
    compute: Compute
    pool: WorkerPool
    faults: FaultTable
    host: str = ""
    sql_url: str = ""
    """Where SQL clients connect (the HTTPS listener when there is one); `host` otherwise."""
    started_at: float = field(default_factory=time.time)
    pipeline_runner: PipelineRunner | None = None
    orchestrator: Orchestrator = field(init=False)
    pipeline_updates: PipelineUpdates = field(init=False)

    @classmethod
    def open(cls, home: LocalHome, token: str, faults: FaultTable | None = None) -> Services:
        from brickyard.local.runs.scheduler import Orchestrator

        home.create()
        db = Database(home.metadata_db)
        user = local_user_name()
        workspace_id = db.get_meta("workspace_id")
        if workspace_id is None:
            workspace_id = str(1_000_000_000_000_000 + pysecrets.randbelow(8_999_999_999_999_999))
            db.set_meta("workspace_id", workspace_id)
        tree = WorkspaceTree(db, home.workspace_root, user)
        catalog = CatalogStore(db)
        unity = UnityStore(db, catalog, user, workspace_id)
        pool = WorkerPool(home.runs_dir, worker_env({}))
        compute = Compute(home, pool, [*DEFAULT_CATALOGS, *unity.created_catalogs()])
        services = cls(
            home=home,
            token=token,
            db=db,
            user=user,
            workspace_id=workspace_id,
            tree=tree,
            dbfs=Dbfs(home.storage_root),
            volumes=Volumes(home.storage_root),
            secrets=SecretStore(db),
            jobs=JobStore(db),
            runs=RunStore(db),
            clusters=ClusterStore(db, user),
            repos=RepoStore(db, tree, user),
            permissions=PermissionStore(db),
            catalog=catalog,
            pipelines=PipelineStore(db),
            pipeline_events=EventStore(db),
            unity=unity,
            volumes_uc=VolumeStore(db, unity, home.storage_root),
            warehouses=WarehouseStore(db, user),
            sql=SqlWarehouses(home, compute, catalog),
            compute=compute,
            pool=pool,
            faults=faults or FaultTable(),
        )
        services.pipeline_runner = PipelineRunner(services)
        services.orchestrator = Orchestrator(services)
        services.pipeline_updates = PipelineUpdates(services)
        return services

    def bind(self, host: str) -> None:
        """The address is known only once the socket is bound; workers get it to call back."""
        self.host = host
        self.pool.base_env.update(worker_env({"DATABRICKS_HOST": host, "DATABRICKS_TOKEN": self.token}))

    def recover(self) -> None:
        """Close the runs and pipeline updates a previous server left active."""
        self.orchestrator.recover()
        self.pipeline_updates.recover()

    def close(self) -> None:
        self.orchestrator.shutdown()
        self.pipeline_updates.shutdown()
        self.sql.close()
        self.compute.stop()
        self.pool.close()
        self.db.close()


def worker_env(extra: dict[str, str]) -> dict[str, str]:
    """The server's environment minus any Databricks settings, plus the local workspace's own, so
    user code that builds a `WorkspaceClient()` talks to this workspace, as it would on Databricks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
    env.update(extra)
    return env
