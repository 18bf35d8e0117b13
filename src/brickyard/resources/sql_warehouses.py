"""SQL warehouses (`/api/2.0/sql/warehouses`). Created before the dashboards, alerts and jobs that
name them; `edit` takes the whole specification."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from brickyard.resources.base import ANY, Kind, ServerFilled

if TYPE_CHECKING:
    from brickyard.bundle.node import Node
    from brickyard.errors import Diagnostic


class SqlWarehouses(Kind):
    name = "sql_warehouses"
    label = "SQL warehouse"
    rank = 25
    permission_type = "warehouses"
    deployer_level = "IS_OWNER"
    permission_levels: ClassVar[Mapping[str, str]] = {
        "CAN_MANAGE": "CAN_MANAGE",
        "CAN_VIEW": "CAN_VIEW",
        "CAN_RUN": "CAN_MONITOR",
    }
    inherits_permissions = True
    schema_root = ("sql", "WarehousesAPI", "create")
    server_filled: ClassVar[ServerFilled] = {
        "id": ANY,
        "state": ANY,
        "num_clusters": ANY,
        "num_active_sessions": ANY,
        "health": ANY,
        "odbc_params": ANY,
        "jdbc_url": ANY,
        "creator_name": ANY,
        "cluster_size": ANY,
        "min_num_clusters": (1,),
        "max_num_clusters": (1,),
        "auto_stop_mins": (120,),
        "enable_photon": (True,),
        "warehouse_type": ("CLASSIC",),
        "spot_instance_policy": ("COST_OPTIMIZED",),
        "channel": ANY,
    }
    local_note = (
        "the local workspace runs every SQL warehouse on its one embedded engine; size, scaling "
        "and channel are kept, not applied"
    )

    @classmethod
    def check(cls, key: str, resource: Node, diags: list[Diagnostic]) -> None:
        from brickyard.bundle.checks import check_warehouse_name

        check_warehouse_name(key, resource, diags)

    def create(self, settings: dict[str, Any]) -> str:
        return str(self.do("POST", "/api/2.0/sql/warehouses", settings)["id"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        self.do("POST", f"/api/2.0/sql/warehouses/{id}/edit", settings)
        return id

    def _delete(self, id: str) -> None:
        self.do("DELETE", f"/api/2.0/sql/warehouses/{id}")

    def read(self, id: str) -> dict[str, Any]:
        return dict(self.do("GET", f"/api/2.0/sql/warehouses/{id}"))

    def url(self, host: str, id: str) -> str:
        return f"{host}/sql/warehouses/{id}"
