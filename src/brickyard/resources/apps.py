"""Databricks Apps (`/api/2.0/apps`), addressed by name. Each deploy also deploys the app's
source code (a snapshot of `source_code_path`, usually among the bundle's synced files)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, ClassVar

from brickyard.resources.base import ANY, Kind, Prepare, ServerFilled, map_paths

_APP = ("name", "description", "resources", "budget_policy_id", "user_api_scopes", "compute_size")
_OUTPUT = (
    "app_status",
    "compute_status",
    "active_deployment",
    "pending_deployment",
    "create_time",
    "creator",
    "update_time",
    "updater",
    "url",
    "id",
    "service_principal_id",
    "service_principal_name",
    "service_principal_client_id",
    "oauth2_app_client_id",
    "oauth2_app_integration_id",
    "default_source_code_path",
    "effective_budget_policy_id",
    "effective_user_api_scopes",
)


class Apps(Kind):
    name = "apps"
    runs_as_owner_only = True
    label = "app"
    rank = 95
    depends_on = (
        "secret_scopes",
        "sql_warehouses",
        "jobs",
        "model_serving_endpoints",
        "database_instances",
        "experiments",
    )
    recreate_fields = ("name",)
    permission_type = "apps"
    permission_levels: ClassVar[Mapping[str, str]] = {
        "CAN_MANAGE": "CAN_MANAGE",
        "CAN_VIEW": "CAN_USE",
    }
    inherits_permissions = True
    path_fields = ("source_code_path",)
    schema_root = ("apps", "App", "")
    extra_fields: ClassVar[Mapping[str, Any]] = {"source_code_path": "str", "config": "any"}
    server_filled: ClassVar[ServerFilled] = {field: ANY for field in (*_OUTPUT, "config")}
    local_note = "the local workspace keeps apps and their deployments but does not run them"

    def create(self, settings: dict[str, Any]) -> str:
        body = {k: settings[k] for k in _APP if k in settings}
        name = str(self.do("POST", "/api/2.0/apps", body)["name"])
        self._deploy(name, settings)
        return name

    def update(self, id: str, settings: dict[str, Any]) -> str:
        body = {k: settings[k] for k in _APP if k in settings}
        self.do("PATCH", f"/api/2.0/apps/{id}", body)
        self._deploy(id, settings)
        return id

    def _deploy(self, name: str, settings: Mapping[str, Any]) -> None:
        source = settings.get("source_code_path")
        if source:
            body = {"source_code_path": source, "mode": "SNAPSHOT"}
            self.do("POST", f"/api/2.0/apps/{name}/deployments", body)

    def _delete(self, id: str) -> None:
        self.do("DELETE", f"/api/2.0/apps/{id}")

    def read(self, id: str) -> dict[str, Any]:
        return dict(self.do("GET", f"/api/2.0/apps/{id}"))

    def settings(self, id: str) -> dict[str, Any]:
        doc = self.read(id)
        deployment = doc.get("active_deployment") or {}
        if deployment.get("source_code_path"):
            doc["source_code_path"] = deployment["source_code_path"]
        return doc

    def url(self, host: str, id: str) -> str:
        return f"{host}/apps/{id}"

    @classmethod
    def prepare(cls, config: dict[str, Any], context: Prepare) -> dict[str, Any]:
        # A local source folder is deployed among the bundle's synced files.
        for path in cls.path_fields:
            config = map_paths(config, path, functools.partial(context.deployed, path))
        return config
