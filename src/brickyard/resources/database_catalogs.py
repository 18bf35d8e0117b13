"""Unity Catalog catalogs of Lakebase databases (`/api/2.0/database/catalogs`), by name."""

from __future__ import annotations

from typing import Any, ClassVar

from brickyard.resources.base import ANY, Kind, ServerFilled


class DatabaseCatalogs(Kind):
    name = "database_catalogs"
    label = "database catalog"
    rank = 8
    depends_on = ("database_instances",)
    recreate_fields = ("name", "database_instance_name", "database_name")
    schema_root = ("database", "DatabaseCatalog", "")
    server_filled: ClassVar[ServerFilled] = {"uid": ANY, "create_database_if_not_exists": ANY}
    local_note = "the local workspace keeps database catalogs but serves no tables from them"

    def create(self, settings: dict[str, Any]) -> str:
        return str(self.do("POST", "/api/2.0/database/catalogs", settings)["name"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        # Every field of a database catalog is fixed at creation (see recreate_fields).
        return id

    def _delete(self, id: str) -> None:
        self.do("DELETE", f"/api/2.0/database/catalogs/{id}")

    def read(self, id: str) -> dict[str, Any]:
        return dict(self.do("GET", f"/api/2.0/database/catalogs/{id}"))

    def url(self, host: str, id: str) -> str:
        return f"{host}/explore/data/{id}"
