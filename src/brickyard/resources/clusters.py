"""All-purpose clusters (`/api/2.1/clusters`). Their `get` is mostly status: drift counts only
the settings a person edits.

A cluster carries no deployment mark, and teams create their shared clusters by hand or by script
before they adopt bundles: an all-purpose cluster of the same name is adopted (and given the
bundle's settings) rather than duplicated, as the plan says.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from brickyard.resources.base import Kind, Prepare

if TYPE_CHECKING:
    from brickyard.bundle.node import Node

CLUSTER_FILLED = (
    "enable_elastic_disk",
    "disk_spec",
    "aws_attributes",
    "azure_attributes",
    "gcp_attributes",
    "data_security_mode",
    "runtime_engine",
    "enable_local_disk_encryption",
    "driver_node_type_id",
    "driver_instance_pool_id",
    "autotermination_minutes",
    "init_scripts_safe_mode",
    "single_user_name",
    "node_type_id",
    "kind",
    "use_ml_runtime",
    "is_single_node",
)
"""Attributes a workspace fills into a cluster specification the bundle did not set."""

ADOPTABLE_SOURCES = ("UI", "API")
"""All-purpose clusters; a job's or a pipeline's cluster is never adopted."""

_STATUS = frozenset(
    {
        "cluster_id",
        "state",
        "state_message",
        "start_time",
        "terminated_time",
        "last_restarted_time",
        "last_state_loss_time",
        "last_activity_time",
        "termination_reason",
        "creator_user_name",
        "cluster_source",
        "default_tags",
        "spark_context_id",
        "driver",
        "executors",
        "cluster_memory_mb",
        "cluster_cores",
        "jdbc_port",
        "spec",
        "effective_spark_version",
    }
)


class Clusters(Kind):
    name = "clusters"
    label = "cluster"
    rank = 30
    name_fields = ("cluster_name",)
    permission_type = "clusters"
    permission_levels: ClassVar[Mapping[str, str]] = {
        "CAN_MANAGE": "CAN_MANAGE",
        "CAN_VIEW": "CAN_ATTACH_TO",
        "CAN_RUN": "CAN_RESTART",
    }
    path_fields = ("init_scripts[].workspace.destination",)
    inherits_permissions = True
    schema_root = ("compute", "ClustersAPI", "create")
    editable_extras = frozenset(
        {
            "spark_conf",
            "spark_env_vars",
            "custom_tags",
            "init_scripts",
            "autoscale",
            "num_workers",
            "policy_id",
            "instance_pool_id",
            "docker_image",
            "ssh_public_keys",
            "cluster_log_conf",
        }
    )

    @classmethod
    def prepare(cls, config: dict[str, Any], context: Prepare) -> dict[str, Any]:
        from brickyard.resources.init_scripts import rewrite_init_scripts

        return rewrite_init_scripts(config, context)

    def create(self, settings: dict[str, Any]) -> str:
        return str(self.do("POST", "/api/2.1/clusters/create", settings)["cluster_id"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        self.do("POST", "/api/2.1/clusters/edit", {**settings, "cluster_id": id})
        return id

    def _delete(self, id: str) -> None:
        self.do("POST", "/api/2.1/clusters/permanent-delete", {"cluster_id": id})

    def read(self, id: str) -> dict[str, Any]:
        return dict(self.do("GET", "/api/2.1/clusters/get", query={"cluster_id": id}))

    def settings(self, id: str) -> dict[str, Any]:
        # Recent workspaces answer the specification under `spec`, beside status fields.
        doc = self.read(id)
        spec = doc.get("spec")
        if isinstance(spec, dict) and spec:
            return dict(spec)
        return {k: v for k, v in doc.items() if k not in _STATUS}

    def owned(self, settings: Mapping[str, Any]) -> Iterator[str]:
        name = settings.get("cluster_name")
        if not isinstance(name, str) or not name:
            return
        query = {"filter_by.cluster_sources": ["UI", "API"], "page_size": 100}
        for cluster in self.pages("/api/2.1/clusters/list", "clusters", query):
            if cluster.get("cluster_name") == name and cluster.get("cluster_source") in ADOPTABLE_SOURCES:
                yield str(cluster["cluster_id"])

    def url(self, host: str, id: str) -> str:
        return f"{host}/#setting/clusters/{id}/configuration"

    @classmethod
    def shape(cls, resource: Node, development: bool) -> None:
        """Development mode stops all-purpose clusters after an hour idle unless told otherwise."""
        from brickyard.bundle.node import set_default

        if development:
            set_default(resource, "autotermination_minutes", 60)
