"""Secret scopes (`/api/2.0/secrets/scopes`), addressed by name. A bundle declares the scope and
its ACLs; secret values are never part of a bundle. Deleting a scope deletes its secrets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from brickyard.resources.base import Kind, ServerFilled


class SecretScopes(Kind):
    name = "secret_scopes"
    label = "secret scope"
    rank = 5
    recreate_fields = ("name", "backend_type", "keyvault_metadata")
    destructive = True
    permission_type = "secret-acls"
    deployer_level = ""
    permission_levels: ClassVar[Mapping[str, str]] = {
        "CAN_MANAGE": "MANAGE",
        "CAN_VIEW": "READ",
    }
    permission_level_enum = ("READ", "WRITE", "MANAGE")
    inherits_permissions = True
    schema_root = ("workspace", "SecretsAPI", "create_scope")
    extra_fields: ClassVar[Mapping[str, Any]] = {
        "name": "str",
        "backend_type": "str",
        "keyvault_metadata": "any",
    }
    server_filled: ClassVar[ServerFilled] = {"backend_type": ("DATABRICKS",)}

    def create(self, settings: dict[str, Any]) -> str:
        name = str(settings.get("name") or settings.get("scope") or "")
        body: dict[str, Any] = {"scope": name}
        backend = settings.get("backend_type") or settings.get("scope_backend_type")
        if backend:
            body["scope_backend_type"] = backend
        if settings.get("keyvault_metadata"):
            body["backend_azure_keyvault"] = settings["keyvault_metadata"]
        self.do("POST", "/api/2.0/secrets/scopes/create", body)
        return name

    def update(self, id: str, settings: dict[str, Any]) -> str:
        # A scope has nothing to change in place but its ACLs, which apply separately.
        self.read(id)
        return id

    def _delete(self, id: str) -> None:
        self.do("POST", "/api/2.0/secrets/scopes/delete", {"scope": id})

    def read(self, id: str) -> dict[str, Any]:
        from databricks.sdk.errors import NotFound

        for scope in self.do("GET", "/api/2.0/secrets/scopes/list").get("scopes") or []:
            if scope.get("name") == id:
                return {"name": id, "backend_type": scope.get("backend_type", "DATABRICKS")}
        raise NotFound(f"secret scope {id} does not exist")

    def set_permissions(self, id: str, permissions: list[dict[str, Any]]) -> None:
        for entry in permissions:
            principal = (
                entry.get("user_name") or entry.get("group_name") or entry.get("service_principal_name")
            )
            body = {"scope": id, "principal": principal, "permission": entry.get("level")}
            self.do("POST", "/api/2.0/secrets/acls/put", body)

    def url(self, host: str, id: str) -> str:
        return host
