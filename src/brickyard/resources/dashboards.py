"""AI/BI (Lakeview) dashboards (`/api/2.0/lakeview/dashboards`), published after each change.

A bundle names the dashboard's definition as a local `.lvdash.json` file (`file_path`); deploy
sends its content as `serialized_dashboard`, so an edited file is an update.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from brickyard.errors import PlanError
from brickyard.resources.base import ANY, BundlePaths, Kind, Prepare, ServerFilled

if TYPE_CHECKING:
    from brickyard.bundle.node import Node

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
    def fill_defaults(cls, resource: Node, paths: BundlePaths) -> None:
        from brickyard.bundle.node import set_default

        if paths.resource_path:
            set_default(resource, "parent_path", paths.resource_path)
        in_workspace_folder(resource.get("parent_path"))
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
        path = config.get("file_path")
        if not isinstance(path, str) or not path:
            return config
        local = context.local("file_path", path)
        try:
            text = local.read_text(encoding="utf-8")
        except OSError as err:
            raise PlanError(f"dashboard file {path}: {err.strerror or err}") from None
        prepared = {k: v for k, v in config.items() if k != "file_path"}
        prepared["serialized_dashboard"] = text
        return prepared


def _dataset(settings: Mapping[str, Any]) -> dict[str, Any]:
    return {k: settings[k] for k in ("dataset_catalog", "dataset_schema") if settings.get(k)}


def in_workspace_folder(parent: Node | None) -> None:
    """A dashboard's (or Genie space's) folder is a workspace folder: the CLI puts any other value
    under /Workspace."""
    value = parent.value if parent is not None else None
    if parent is None or not isinstance(value, str) or "${" in value:
        return
    if value != "/Workspace" and not value.startswith("/Workspace/"):
        parent.value = posixpath.join("/Workspace", value.lstrip("/")).rstrip("/")
