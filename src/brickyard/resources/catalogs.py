"""Unity Catalog catalogs (`/api/2.1/unity-catalog/catalogs`), addressed by name. Created before the
schemas and volumes in them; deleting one takes its schemas and tables along."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from brickyard.resources.base import Kind

if TYPE_CHECKING:
    from brickyard.bundle.node import Node
    from brickyard.errors import Diagnostic


class Catalogs(Kind):
    name = "catalogs"
    label = "catalog"
    rank = 4
    recreate_fields = ("name", "storage_root", "connection_name", "provider_name", "share_name")
    destructive = True
    grants_securable = "catalog"
    schema_root = ("catalog", "CatalogsAPI", "create")
    editable_extras = frozenset({"comment", "properties"})

    @classmethod
    def check(cls, key: str, resource: Node, diags: list[Diagnostic]) -> None:
        from brickyard.bundle.checks import check_retention

        check_retention("catalogs", key, resource, diags)

    def create(self, settings: dict[str, Any]) -> str:
        return str(self.do("POST", "/api/2.1/unity-catalog/catalogs", settings)["name"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        body = {k: settings[k] for k in ("comment", "properties", "isolation_mode") if k in settings}
        self.do("PATCH", f"/api/2.1/unity-catalog/catalogs/{quote(id)}", body)
        return id

    def _delete(self, id: str) -> None:
        # As for schemas: the bundle's jobs fill it, and deleting it is confirmed as destructive.
        self.do("DELETE", f"/api/2.1/unity-catalog/catalogs/{quote(id)}", query={"force": "true"})

    def read(self, id: str) -> dict[str, Any]:
        return dict(self.do("GET", f"/api/2.1/unity-catalog/catalogs/{quote(id)}"))

    def url(self, host: str, id: str) -> str:
        return f"{host}/explore/data/{id}"
