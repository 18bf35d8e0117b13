"""Lakeflow / DLT pipelines (`/api/2.0/pipelines`). Deleting one drops its tables."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from brickyard.resources.base import ANY, BundlePaths, Kind, Prepare, ServerFilled, metadata_path

if TYPE_CHECKING:
    from brickyard.bundle.node import Node
    from brickyard.errors import Diagnostic


class Pipelines(Kind):
    name = "pipelines"
    label = "pipeline"
    rank = 40
    depends_on = ("schemas", "volumes", "secret_scopes", "clusters")
    recreate_fields = ("catalog", "storage")
    destructive = True
    permission_type = "pipelines"
    permission_levels: ClassVar[Mapping[str, str]] = {
        "CAN_MANAGE": "CAN_MANAGE",
        "CAN_VIEW": "CAN_VIEW",
        "CAN_RUN": "CAN_RUN",
    }
    path_fields = (
        "libraries[].notebook.path",
        "libraries[].file.path",
        "libraries[].glob.include",
        "root_path",
    )
    schema_root = ("pipelines", "PipelinesAPI", "create")
    bundle_defaults: ClassVar[Mapping[str, Any]] = {"edition": "ADVANCED", "channel": "CURRENT"}
    inherits_permissions = True
    deployer_level = "IS_OWNER"
    inherits_run_as = True
    run_as_fields = ("user_name", "service_principal_name")  # a pipeline cannot run as a group
    server_filled: ClassVar[ServerFilled] = {
        "id": ANY,
        "edition": ("ADVANCED",),
        "channel": ("CURRENT",),
        "storage": ANY,
        "clusters": ANY,
        "*effective_*": ANY,
    }

    @classmethod
    def check(cls, key: str, resource: Node, diags: list[Diagnostic]) -> None:
        from brickyard.bundle.checks import check_deployment_ids, check_serverless_clusters

        check_deployment_ids("pipelines", key, resource, diags)
        check_serverless_clusters(key, resource, diags)

    @classmethod
    def apply_bundle_defaults(cls, resource: Node) -> None:
        """An ingestion pipeline (Lakeflow Connect) has no edition or channel to default."""
        if resource.is_map and resource.get("ingestion_definition") is None:
            super().apply_bundle_defaults(resource)

    @classmethod
    def prepare(cls, config: dict[str, Any], context: Prepare) -> dict[str, Any]:
        from brickyard.resources.init_scripts import rewrite_init_scripts

        return rewrite_init_scripts(config, context)

    def create(self, settings: dict[str, Any]) -> str:
        return str(self.do("POST", "/api/2.0/pipelines", settings)["pipeline_id"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        self.do("PUT", f"/api/2.0/pipelines/{id}", {**settings, "id": id, "pipeline_id": id})
        return id

    def _delete(self, id: str) -> None:
        self.do("DELETE", f"/api/2.0/pipelines/{id}")

    def read(self, id: str) -> dict[str, Any]:
        return dict(self.do("GET", f"/api/2.0/pipelines/{id}"))

    def settings(self, id: str) -> dict[str, Any]:
        doc = self.read(id)
        settings = dict(doc.get("spec") or {})
        if doc.get("run_as"):  # the identity is beside the spec, not in it
            settings["run_as"] = doc["run_as"]
        return settings

    def owned(self, settings: Mapping[str, Any]) -> Iterator[str]:
        name, metadata = settings.get("name"), metadata_path(settings)
        if not isinstance(name, str) or not metadata:
            return
        # The filter's `%` and `_` still match more than the name: compare names here.
        query = {"filter": "name LIKE '" + name.replace("'", "''") + "'"}
        for status in self.pages("/api/2.0/pipelines", "statuses", query):
            if (
                status.get("name") == name
                and metadata_path(self.settings(str(status["pipeline_id"]))) == metadata
            ):
                yield str(status["pipeline_id"])

    def url(self, host: str, id: str) -> str:
        return f"{host}/#joblist/pipelines/{id}"

    @classmethod
    def shape(cls, resource: Node, development: bool) -> None:
        from brickyard.bundle.node import from_plain, map_items

        for cluster in map_items(resource.get("clusters")):
            if cluster.get("label") is None:
                cluster.value["label"] = from_plain("default", cluster.loc)

    @classmethod
    def fill_defaults(cls, resource: Node, paths: BundlePaths) -> None:
        from brickyard.bundle.node import set_default

        set_default(resource, "deployment", {"kind": "BUNDLE", "metadata_file_path": paths.metadata_file})
        super().fill_defaults(resource, paths)
