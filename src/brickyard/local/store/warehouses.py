"""SQL warehouses. A local warehouse is a name for the embedded engine seen through SQL: every
warehouse runs its statements on the same Sail engine, against the workspace catalog. Like local
clusters, state changes are immediate (`create` and `start` reach RUNNING, `stop` reaches STOPPED),
and a statement sent to a stopped warehouse starts it, as a serverless warehouse does.

One warehouse exists from the start, so `lookup: {warehouse: ...}` variables, `sql_task`s and SQL
clients have something to point at in a fresh workspace. The connection details (`odbc_params`,
`jdbc_url`) depend on where the server listens, so they are added when a warehouse is read.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.store.db import Database, dumps, loads

RUNNING, STOPPED = "RUNNING", "STOPPED"
# The name a new Databricks workspace gives its first warehouse, so bundles that look it up by name
# (`lookup: warehouse: Serverless Starter Warehouse`) resolve on the local workspace unchanged.
DEFAULT_NAME = "Serverless Starter Warehouse"
SIZES = (
    "2X-Small",
    "X-Small",
    "Small",
    "Medium",
    "Large",
    "X-Large",
    "2X-Large",
    "3X-Large",
    "4X-Large",
    "5X-Large",
)
_CONFIG_FIELDS = (
    "name",
    "cluster_size",
    "min_num_clusters",
    "max_num_clusters",
    "auto_stop_mins",
    "enable_photon",
    "enable_serverless_compute",
    "warehouse_type",
    "channel",
    "tags",
    "spot_instance_policy",
    "instance_profile_arn",
    "statement_timeout",
    "max_dbu",
    "creator_name",
)
_DEFAULTS: dict[str, Any] = {
    "cluster_size": "2X-Small",
    "min_num_clusters": 1,
    "max_num_clusters": 1,
    "auto_stop_mins": 120,
    "enable_photon": True,
    "enable_serverless_compute": False,
    "warehouse_type": "CLASSIC",
    "spot_instance_policy": "COST_OPTIMIZED",
    "channel": {"name": "CHANNEL_NAME_CURRENT"},
}
_DEFAULT_META = "default_warehouse_id"


def missing_warehouse(warehouse_id: Any) -> ApiError:
    return ApiError.not_found(f"Warehouse {warehouse_id} does not exist.")


class WarehouseStore:
    def __init__(self, db: Database, user: str) -> None:
        self.db = db
        self.user = user
        self.default_id = self._ensure_default()

    def create(self, spec: dict[str, Any]) -> str:
        config = {**_DEFAULTS, **_config(spec, creating=True)}
        if config["enable_serverless_compute"] and "warehouse_type" not in spec:
            config["warehouse_type"] = "PRO"
        self._check_name_free(config["name"])
        warehouse_id = secrets.token_hex(8)
        doc = {
            **config,
            "id": warehouse_id,
            "creator_name": config.get("creator_name") or self.user,
            "state": RUNNING,
            "num_clusters": 1,
            "num_active_sessions": 0,
            "health": {"status": "HEALTHY"},
        }
        self.db.execute(
            "INSERT INTO sql_warehouses(id, name, doc) VALUES (?, ?, ?)",
            (warehouse_id, config["name"], dumps(doc)),
        )
        return warehouse_id

    def get(self, warehouse_id: Any) -> dict[str, Any]:
        found = self.find(str(warehouse_id or ""))
        if found is None:
            raise missing_warehouse(warehouse_id)
        return found

    def find(self, warehouse_id: str) -> dict[str, Any] | None:
        row = self.db.one("SELECT doc FROM sql_warehouses WHERE id = ?", (warehouse_id,))
        return None if row is None else loads(row["doc"])

    def list(self) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM sql_warehouses ORDER BY lower(name), id")
        return [loads(r["doc"]) for r in rows]

    def edit(self, warehouse_id: str, spec: dict[str, Any]) -> None:
        doc = self.get(warehouse_id)
        config = _config(spec, creating=False)
        if "name" in config and config["name"] != doc["name"]:
            self._check_name_free(config["name"])
        doc.update(config)
        self._save(doc)

    def start(self, warehouse_id: str) -> dict[str, Any]:
        """Start a stopped warehouse (a running one is left as it is, as the API does)."""
        doc = self.get(warehouse_id)
        if doc["state"] != RUNNING:
            doc.update(state=RUNNING, num_clusters=1, health={"status": "HEALTHY"})
            self._save(doc)
        return doc

    def stop(self, warehouse_id: str) -> None:
        doc = self.get(warehouse_id)
        doc.update(state=STOPPED, num_clusters=0, num_active_sessions=0)
        doc.pop("health", None)
        self._save(doc)

    def delete(self, warehouse_id: str) -> None:
        self.get(warehouse_id)
        self.db.execute("DELETE FROM sql_warehouses WHERE id = ?", (warehouse_id,))

    def _ensure_default(self) -> str:
        """Create the default warehouse once; a user who deletes it does not get it back."""
        existing = self.db.get_meta(_DEFAULT_META)
        if existing is not None:
            return existing
        warehouse_id = self.create(
            {"name": DEFAULT_NAME, "enable_serverless_compute": True, "warehouse_type": "PRO"}
        )
        self.db.set_meta(_DEFAULT_META, warehouse_id)
        return warehouse_id

    def _check_name_free(self, name: str) -> None:
        if self.db.one("SELECT 1 FROM sql_warehouses WHERE lower(name) = lower(?)", (name,)) is not None:
            raise ApiError.already_exists(f"SQL warehouse with name '{name}' already exists.")

    def _save(self, doc: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE sql_warehouses SET name = ?, doc = ? WHERE id = ?", (doc["name"], dumps(doc), doc["id"])
        )


def _config(spec: dict[str, Any], creating: bool) -> dict[str, Any]:
    """The configuration fields of a create or edit request, checked as the API checks them."""
    config = {k: copy.deepcopy(v) for k, v in spec.items() if k in _CONFIG_FIELDS and v is not None}
    name = config.get("name")
    if creating and not name:
        raise ApiError.invalid("name is required to create a SQL warehouse.")
    if name is not None and (not isinstance(name, str) or not name.strip() or len(name) >= 100):
        raise ApiError.invalid("name must be a non-empty string of fewer than 100 characters.")
    size = config.get("cluster_size")
    if size is not None and size not in SIZES:
        raise ApiError.invalid(f"cluster_size must be one of {', '.join(SIZES)}; got {size!r}.")
    stop = config.get("auto_stop_mins")
    if stop is not None and (not isinstance(stop, int) or (stop != 0 and stop < 10)):
        raise ApiError.invalid("auto_stop_mins must be 0 (no autostop) or at least 10.")
    low = config.get("min_num_clusters", 1)
    high = config.get("max_num_clusters", max(low, 1) if isinstance(low, int) else 1)
    if not isinstance(low, int) or not isinstance(high, int) or not 0 < low <= high <= 40:
        raise ApiError.invalid("min_num_clusters and max_num_clusters must satisfy 0 < min <= max <= 40.")
    if creating:
        config.setdefault("max_num_clusters", high)
    if config.get("enable_serverless_compute") and config.get("warehouse_type", "PRO") != "PRO":
        raise ApiError.invalid("Serverless compute requires warehouse_type PRO.")
    return config
