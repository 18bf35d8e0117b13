"""Unity Catalog volumes, addressed by `catalog.schema.volume`. Deleting one deletes its files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import quote

from brickyard.resources.base import Kind


class Volumes(Kind):
    name = "volumes"
    required_fields = ("catalog_name", "name", "schema_name")
    label = "volume"
    rank = 20
    depends_on = ("schemas",)
    recreate_fields = ("name", "catalog_name", "schema_name", "volume_type", "storage_location")
    destructive = True
    grants_securable = "volume"
    schema_root = ("catalog", "VolumesAPI", "create")
    editable_extras = frozenset({"comment"})
    bundle_defaults: ClassVar[Mapping[str, Any]] = {"volume_type": "MANAGED"}

    def create(self, settings: dict[str, Any]) -> str:
        return str(self.do("POST", "/api/2.1/unity-catalog/volumes", settings)["full_name"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        body = {k: settings[k] for k in ("comment",) if k in settings}
        result = self.do("PATCH", f"/api/2.1/unity-catalog/volumes/{quote(id)}", body)
        return str(result.get("full_name") or id) if isinstance(result, dict) else id

    def _delete(self, id: str) -> None:
        self.do("DELETE", f"/api/2.1/unity-catalog/volumes/{quote(id)}")

    def read(self, id: str) -> dict[str, Any]:
        return dict(self.do("GET", f"/api/2.1/unity-catalog/volumes/{quote(id)}"))

    def url(self, host: str, id: str) -> str:
        return f"{host}/explore/data/volumes/{id.replace('.', '/')}"
