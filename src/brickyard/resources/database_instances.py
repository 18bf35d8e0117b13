"""Lakebase database instances (`/api/2.0/database/instances`), addressed by name. Deleting one
deletes its databases."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from brickyard.resources.base import ANY, Kind, ServerFilled

_OUTPUT = (
    "uid",
    "state",
    "creator",
    "creation_time",
    "pg_version",
    "read_write_dns",
    "read_only_dns",
    "child_instance_refs",
    "effective_*",
)


class DatabaseInstances(Kind):
    name = "database_instances"
    label = "database instance"
    rank = 6
    recreate_fields = ("name",)
    destructive = True
    permission_type = "database-instances"
    permission_levels: ClassVar[Mapping[str, str]] = {
        "CAN_MANAGE": "CAN_MANAGE",
        "CAN_VIEW": "CAN_USE",
    }
    inherits_permissions = True
    schema_root = ("database", "DatabaseInstance", "")
    server_filled: ClassVar[ServerFilled] = {field: ANY for field in _OUTPUT}
    local_note = "the local workspace keeps database instances but runs no Postgres behind them"

    def create(self, settings: dict[str, Any]) -> str:
        return str(self.do("POST", "/api/2.0/database/instances", settings)["name"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        changes = {k: v for k, v in settings.items() if k != "name"}
        if changes:
            mask = ",".join(sorted(changes))
            self.do("PATCH", f"/api/2.0/database/instances/{id}", changes, query={"update_mask": mask})
        return id

    def _delete(self, id: str) -> None:
        self.do("DELETE", f"/api/2.0/database/instances/{id}", query={"purge": "true"})

    def read(self, id: str) -> dict[str, Any]:
        return dict(self.do("GET", f"/api/2.0/database/instances/{id}"))

    def url(self, host: str, id: str) -> str:
        return f"{host}/compute/database-instances/{id}"
