"""Resource kinds: one module per kind, gathered here into the registry brickyard deploys with.

Adding a kind is one module with a `Kind` subclass, one line below, and its tests.
"""

from __future__ import annotations

from brickyard.resources.base import Kind
from brickyard.resources.clusters import Clusters
from brickyard.resources.jobs import Jobs
from brickyard.resources.pipelines import Pipelines
from brickyard.resources.registry import Registry
from brickyard.resources.schemas import Schemas
from brickyard.resources.volumes import Volumes

REGISTRY = Registry((Schemas, Volumes, Clusters, Pipelines, Jobs))

__all__ = ["REGISTRY", "Kind", "Registry"]
