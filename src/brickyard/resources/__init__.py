"""Resource kinds: one module per kind, gathered here into the registry brickyard deploys with.

Adding a kind is one module with a `Kind` subclass, one line below, and its tests.
"""

from __future__ import annotations

from brickyard.resources.alerts import Alerts
from brickyard.resources.apps import Apps
from brickyard.resources.base import Kind
from brickyard.resources.catalogs import Catalogs
from brickyard.resources.clusters import Clusters
from brickyard.resources.dashboards import Dashboards
from brickyard.resources.database_catalogs import DatabaseCatalogs
from brickyard.resources.database_instances import DatabaseInstances
from brickyard.resources.experiments import Experiments
from brickyard.resources.genie_spaces import GenieSpaces
from brickyard.resources.jobs import Jobs
from brickyard.resources.model_serving_endpoints import ModelServingEndpoints
from brickyard.resources.pipelines import Pipelines
from brickyard.resources.quality_monitors import QualityMonitors
from brickyard.resources.registered_models import RegisteredModels
from brickyard.resources.registry import Registry
from brickyard.resources.schemas import Schemas
from brickyard.resources.secret_scopes import SecretScopes
from brickyard.resources.sql_warehouses import SqlWarehouses
from brickyard.resources.volumes import Volumes

REGISTRY = Registry(
    (
        Alerts,
        Apps,
        Catalogs,
        Clusters,
        Dashboards,
        DatabaseCatalogs,
        DatabaseInstances,
        Experiments,
        GenieSpaces,
        Jobs,
        ModelServingEndpoints,
        Pipelines,
        QualityMonitors,
        RegisteredModels,
        Schemas,
        SecretScopes,
        SqlWarehouses,
        Volumes,
    )
)

__all__ = ["REGISTRY", "Kind", "Registry"]
