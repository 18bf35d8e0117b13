"""SQL alerts (`/api/2.0/alerts`, the v2 API): a query, a condition on its result, a schedule.

A bundle may keep the alert's definition in a local `.dbalert.json` file (`file_path`); its
fields are read under the bundle's own when the bundle loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from brickyard.resources.base import ANY, Kind, Prepare, ServerFilled
from brickyard.resources.definitions import without_file_path

_OUTPUT = ("id", "create_time", "update_time", "lifecycle_state", "owner_user_name", "effective_run_as")


class Alerts(Kind):
    name = "alerts"
    inherits_run_as = True
    run_as_fields = ("user_name", "service_principal_name")
    label = "alert"
    rank = 65
    depends_on = ("sql_warehouses",)
    name_fields = ("display_name",)
    permission_type = "alertsv2"
    permission_levels: ClassVar[Mapping[str, str]] = {
        "CAN_MANAGE": "CAN_MANAGE",
        "CAN_VIEW": "CAN_READ",
        "CAN_RUN": "CAN_RUN",
    }
    inherits_permissions = True
    path_fields = ("parent_path",)
    schema_root = ("sql", "AlertV2", "")
    extra_fields: ClassVar[Mapping[str, Any]] = {"file_path": "str"}
    server_filled: ClassVar[ServerFilled] = {
        **{field: ANY for field in _OUTPUT},
        "parent_path": ANY,
        "evaluation.state": ANY,
        "evaluation.last_evaluated_at": ANY,
        "schedule.pause_status": ("UNPAUSED",),
    }
    local_note = "the local workspace keeps alerts and their schedules but never evaluates them"

    def create(self, settings: dict[str, Any]) -> str:
        return str(self.do("POST", "/api/2.0/alerts", settings)["id"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        self.do("PATCH", f"/api/2.0/alerts/{id}", settings, query={"update_mask": "*"})
        return id

    def _delete(self, id: str) -> None:
        self.do("DELETE", f"/api/2.0/alerts/{id}", query={"purge": "true"})

    def read(self, id: str) -> dict[str, Any]:
        from databricks.sdk.errors import NotFound

        doc = dict(self.do("GET", f"/api/2.0/alerts/{id}"))
        if doc.get("lifecycle_state") == "DELETED":
            raise NotFound(f"alert {id} is in the trash")
        return doc

    def url(self, host: str, id: str) -> str:
        return f"{host}/sql/alerts-v2/{id}"

    @classmethod
    def prepare(cls, config: dict[str, Any], context: Prepare) -> dict[str, Any]:
        """The alert file's fields were read when the bundle loaded (`defaults.alert_definitions`);
        its path is no part of the request."""
        return without_file_path(config)
