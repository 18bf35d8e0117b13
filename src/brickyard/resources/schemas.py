"""Unity Catalog schemas, addressed by `catalog.schema`. Deleting one takes its tables along."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from brickyard.resources.base import Kind

if TYPE_CHECKING:
    from brickyard.bundle.node import Node
    from brickyard.errors import Diagnostic


class Schemas(Kind):
    name = "schemas"
    label = "schema"
    rank = 10
    depends_on = ("catalogs",)
    recreate_fields = ("name", "catalog_name", "storage_root")
    destructive = True
    grants_securable = "schema"
    schema_root = ("catalog", "SchemasAPI", "create")
    editable_extras = frozenset({"comment", "properties"})

    @classmethod
    def check(cls, key: str, resource: Node, diags: list[Diagnostic]) -> None:
        from brickyard.bundle.checks import check_retention

        check_retention("schemas", key, resource, diags)

    def create(self, settings: dict[str, Any]) -> str:
        return str(self.do("POST", "/api/2.1/unity-catalog/schemas", settings)["full_name"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        body = {k: settings[k] for k in ("comment", "properties") if k in settings}
        result = self.do("PATCH", f"/api/2.1/unity-catalog/schemas/{quote(id)}", body)
        return str(result.get("full_name") or id) if isinstance(result, dict) else id

    def _delete(self, id: str) -> None:
        # Jobs fill a bundle's schema with tables; deleting the schema (confirmed as destructive)
        # takes them along, as `databricks bundle destroy` does.
        self.do("DELETE", f"/api/2.1/unity-catalog/schemas/{quote(id)}", query={"force": "true"})

    def read(self, id: str) -> dict[str, Any]:
        return dict(self.do("GET", f"/api/2.1/unity-catalog/schemas/{quote(id)}"))

    def url(self, host: str, id: str) -> str:
        return f"{host}/explore/data/{id.replace('.', '/')}"
