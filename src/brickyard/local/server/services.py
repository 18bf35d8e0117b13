"""What request handlers read: the stores, the run schedulers and who the workspace is.

Route handlers reach it as `request.app.state.services` (`routes.deps.services`). It is built whole
by the composition root (`server.wiring`), frozen, and has no logic: the parts that run things
(the worker pool, the run credentials, the database itself) are not in it, so a handler can only
use a part through its own interface.
"""

from __future__ import annotations

from dataclasses import dataclass

from brickyard.local.faults import FaultTable
from brickyard.local.home import LocalHome
from brickyard.local.runs.compute import Compute
from brickyard.local.runs.scheduler import Orchestrator
from brickyard.local.runs.updates import PipelineUpdates
from brickyard.local.samples import Samples
from brickyard.local.sql.service import SqlWarehouses
from brickyard.local.store.catalog import CatalogStore
from brickyard.local.store.clusters import ClusterStore
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
class Services:
    home: LocalHome
    host: str
    user: str
    workspace_id: str
    started_at: float
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
    samples: Samples
    """The `samples` catalog, put in `catalog` on first use."""
    pipelines: PipelineStore
    pipeline_events: EventStore
    unity: UnityStore
    volumes_uc: VolumeStore
    warehouses: WarehouseStore
    sql: SqlWarehouses
    """SQL warehouses' sessions and statements on the engine (Statement Execution API, Thrift)."""
    sql_url: str
    """Where SQL clients connect (the HTTPS listener); warehouses advertise it."""
    objects: ObjectStores
    """Objects the workspace keeps without running them (dashboards, apps, experiments, …)."""
    compute: Compute
    faults: FaultTable
    orchestrator: Orchestrator
    pipeline_updates: PipelineUpdates
    signin: SignIn
    """Who may read the web UI (one-time links, session cookies)."""
