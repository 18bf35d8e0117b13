"""Model serving endpoints (`/api/2.0/serving-endpoints`), addressed by name. A change to the
served entities is a new configuration (`PUT …/config`); other settings are fixed at creation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from brickyard.resources.base import ANY, Kind, ServerFilled

if TYPE_CHECKING:
    from brickyard.bundle.node import Node
    from brickyard.errors import Diagnostic

_OUTPUT = ("id", "state", "creator", "creation_timestamp", "last_updated_timestamp", "permission_level")


class ModelServingEndpoints(Kind):
    name = "model_serving_endpoints"
    runs_as_owner_only = True
    label = "serving endpoint"
    rank = 50
    depends_on = ("registered_models", "secret_scopes")
    recreate_fields = ("name", "route_optimized")
    permission_type = "serving-endpoints"
    permission_levels: ClassVar[Mapping[str, str]] = {
        "CAN_MANAGE": "CAN_MANAGE",
        "CAN_VIEW": "CAN_VIEW",
        "CAN_RUN": "CAN_QUERY",
    }
    inherits_permissions = True
    schema_root = ("serving", "ServingEndpointsAPI", "create")
    server_filled: ClassVar[ServerFilled] = {
        **{field: ANY for field in _OUTPUT},
        "config.config_version": ANY,
        "config.served_entities[].state": ANY,
        "config.served_entities[].creator": ANY,
        "config.served_entities[].creation_timestamp": ANY,
        "config.served_entities[].name": ANY,
        "config.traffic_config": ANY,
    }
    local_note = "the local workspace keeps serving endpoints and their configuration but serves no model"

    @classmethod
    def check(cls, key: str, resource: Node, diags: list[Diagnostic]) -> None:
        from brickyard.bundle.node import format_path, lookup
        from brickyard.errors import Diagnostic, Severity

        # A guardrail keyword must say something: an empty one is refused before deploy, as the CLI does.
        for side in ("input", "output"):
            where = ("ai_gateway", "guardrails", side, "invalid_keywords")
            keywords = lookup(resource, where)
            if keywords is None or not keywords.is_seq:
                continue
            for index, keyword in enumerate(keywords.value):
                if keyword.value == "":
                    path = format_path(("resources", cls.name, key, *where, index))
                    diags.append(
                        Diagnostic(
                            Severity.ERROR, "invalid_keywords entry must not be empty", path, keyword.loc
                        )
                    )

    def create(self, settings: dict[str, Any]) -> str:
        return str(self.do("POST", "/api/2.0/serving-endpoints", settings)["name"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        if settings.get("config"):
            self.do("PUT", f"/api/2.0/serving-endpoints/{id}/config", settings["config"])
        return id

    def _delete(self, id: str) -> None:
        self.do("DELETE", f"/api/2.0/serving-endpoints/{id}")

    def read(self, id: str) -> dict[str, Any]:
        return dict(self.do("GET", f"/api/2.0/serving-endpoints/{id}"))

    def set_permissions(self, id: str, permissions: list[dict[str, Any]]) -> None:
        # Permissions name the endpoint by its id, not by the name the rest of the API uses.
        super().set_permissions(str(self.read(id).get("id") or id), permissions)

    def url(self, host: str, id: str) -> str:
        return f"{host}/ml/endpoints/{id}"
