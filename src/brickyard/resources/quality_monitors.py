"""Lakehouse quality monitors (`/api/2.1/unity-catalog/tables/{table}/monitor`), one per table,
addressed by the table's full name."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

from brickyard.resources.base import ANY, Kind, ServerFilled

_OUTPUT = (
    "status",
    "monitor_version",
    "profile_metrics_table_name",
    "drift_metrics_table_name",
    "dashboard_id",
    "latest_monitor_failure_msg",
)


class QualityMonitors(Kind):
    name = "quality_monitors"
    runs_as_owner_only = True
    label = "quality monitor"
    rank = 45
    depends_on = ("schemas", "sql_warehouses", "pipelines")
    recreate_fields = ("table_name", "assets_dir")
    name_fields = ("table_name",)
    schema_root = ("catalog", "QualityMonitorsAPI", "create")
    server_filled: ClassVar[ServerFilled] = {
        **{field: ANY for field in _OUTPUT},
        "schedule.pause_status": ("UNPAUSED",),
    }
    local_note = "the local workspace keeps quality monitors but computes no metrics"

    def create(self, settings: dict[str, Any]) -> str:
        table = str(settings["table_name"])
        body = {k: v for k, v in settings.items() if k != "table_name"}
        self.do("POST", _path(table), body)
        return table

    def update(self, id: str, settings: dict[str, Any]) -> str:
        body = {k: v for k, v in settings.items() if k not in ("table_name", "assets_dir", "warehouse_id")}
        self.do("PUT", _path(id), body)
        return id

    def _delete(self, id: str) -> None:
        self.do("DELETE", _path(id))

    def read(self, id: str) -> dict[str, Any]:
        return dict(self.do("GET", _path(id)))

    def url(self, host: str, id: str) -> str:
        return f"{host}/explore/data/{id.replace('.', '/')}?o=quality"


def _path(table: str) -> str:
    return f"/api/2.1/unity-catalog/tables/{quote(table)}/monitor"
