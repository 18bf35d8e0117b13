"""Unity Catalog registered models (`/api/2.1/unity-catalog/models`), addressed by
`catalog.schema.model`. Deleting one deletes its versions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

from brickyard.resources.base import ANY, Kind, ServerFilled

_OUTPUT = ("full_name", "metastore_id", "owner", "created_at", "created_by", "updated_at", "updated_by")


class RegisteredModels(Kind):
    name = "registered_models"
    label = "registered model"
    rank = 22
    depends_on = ("schemas",)
    recreate_fields = ("name", "catalog_name", "schema_name", "storage_location")
    destructive = True
    grants_securable = "function"
    schema_root = ("catalog", "RegisteredModelsAPI", "create")
    editable_extras = frozenset({"comment", "aliases"})
    server_filled: ClassVar[ServerFilled] = {field: ANY for field in (*_OUTPUT, "storage_location")}

    def create(self, settings: dict[str, Any]) -> str:
        return str(self.do("POST", "/api/2.1/unity-catalog/models", settings)["full_name"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        body = {k: settings[k] for k in ("comment", "owner") if k in settings}
        found = self.do("PATCH", f"/api/2.1/unity-catalog/models/{quote(id)}", body)
        return str(found.get("full_name") or id) if isinstance(found, dict) else id

    def _delete(self, id: str) -> None:
        self.do("DELETE", f"/api/2.1/unity-catalog/models/{quote(id)}")

    def read(self, id: str) -> dict[str, Any]:
        return dict(self.do("GET", f"/api/2.1/unity-catalog/models/{quote(id)}"))

    def url(self, host: str, id: str) -> str:
        return f"{host}/explore/data/models/{id.replace('.', '/')}"

    @classmethod
    def display_name(cls, config: Mapping[str, Any], key: str) -> str:
        parts = [config.get(k) for k in ("catalog_name", "schema_name", "name")]
        return ".".join(str(p) for p in parts) if all(parts) else key
