"""AI/BI (Lakeview) dashboards (`/api/2.0/lakeview/dashboards`), published after each change.

A bundle names the dashboard's definition as a local `.lvdash.json` file (`file_path`); deploy
sends its content as `serialized_dashboard`, so an edited file is an update (`definitions`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from brickyard.resources.base import ANY, BundlePaths, Kind, Prepare, ServerFilled
from brickyard.resources.definitions import default_folder, with_file_content

if TYPE_CHECKING:
    from brickyard.bundle.node import Node
    from brickyard.errors import Diagnostic

_REQUEST = ("display_name", "warehouse_id", "serialized_dashboard", "parent_path")
_PUBLISH = ("embed_credentials", "warehouse_id")


class Dashboards(Kind):
    name = "dashboards"
    label = "dashboard"
    rank = 60
    depends_on = ("sql_warehouses",)
    name_fields = ("display_name",)
    permission_type = "dashboards"
    permission_levels: ClassVar[Mapping[str, str]] = {
        "CAN_MANAGE": "CAN_MANAGE",
        "CAN_VIEW": "CAN_READ",
    }
    inherits_permissions = True
    path_fields = ("parent_path",)
    schema_root = ("dashboards", "Dashboard", "")
    extra_fields: ClassVar[Mapping[str, Any]] = {
        "file_path": "str",
        "embed_credentials": "bool",
        "dataset_catalog": "str",
        "dataset_schema": "str",
    }
    server_filled: ClassVar[ServerFilled] = {
        "dashboard_id": ANY,
        "path": ANY,
        "create_time": ANY,
        "update_time": ANY,
        "etag": ANY,
        "lifecycle_state": ("ACTIVE",),
        "parent_path": ANY,
        "dataset_catalog": ANY,
        "dataset_schema": ANY,
    }
    local_note = "the local workspace keeps dashboards and their published versions but does not render them"
    bundle_defaults: ClassVar[Mapping[str, Any]] = {"embed_credentials": False}
    runs_as_owner_when = "embed_credentials"  # embedded credentials are the owner's

    @classmethod
    def check(cls, key: str, resource: Node, diags: list[Diagnostic]) -> None:
        from brickyard.bundle.checks import check_etag

        check_etag("dashboards", "dashboard", key, resource, diags)

    @classmethod
    def fill_defaults(cls, resource: Node, paths: BundlePaths) -> None:
        default_folder(resource, paths)
        super().fill_defaults(resource, paths)

    def create(self, settings: dict[str, Any]) -> str:
        body = {k: settings[k] for k in _REQUEST if k in settings}
        found = self.do("POST", "/api/2.0/lakeview/dashboards", body, query=_dataset(settings))
        dashboard_id = str(found["dashboard_id"])
        self._publish(dashboard_id, settings)
        return dashboard_id

    def update(self, id: str, settings: dict[str, Any]) -> str:
        body = {k: settings[k] for k in _REQUEST if k in settings and k != "parent_path"}
        self.do("PATCH", f"/api/2.0/lakeview/dashboards/{id}", body, query=_dataset(settings))
        self._publish(id, settings)
        return id

    def _publish(self, id: str, settings: Mapping[str, Any]) -> None:
        body = {k: settings[k] for k in _PUBLISH if k in settings}
        self.do("POST", f"/api/2.0/lakeview/dashboards/{id}/published", body)

    def _delete(self, id: str) -> None:
        self.do("DELETE", f"/api/2.0/lakeview/dashboards/{id}")

    def read(self, id: str) -> dict[str, Any]:
        from databricks.sdk.errors import NotFound

        doc = dict(self.do("GET", f"/api/2.0/lakeview/dashboards/{id}"))
        if doc.get("lifecycle_state") == "TRASHED":
            raise NotFound(f"dashboard {id} is in the trash")
        return doc

    def settings(self, id: str) -> dict[str, Any]:
        doc = self.read(id)
        published = self.do("GET", f"/api/2.0/lakeview/dashboards/{id}/published")
        return {**doc, **{k: published[k] for k in _PUBLISH if k in published}}

    def url(self, host: str, id: str) -> str:
        return f"{host}/dashboardsv3/{id}/published"

    @classmethod
    def prepare(cls, config: dict[str, Any], context: Prepare) -> dict[str, Any]:
        return with_file_content(config, context, "serialized_dashboard", "dashboard")


def _dataset(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {k: settings[k] for k in ("dataset_catalog", "dataset_schema") if settings.get(k)}
