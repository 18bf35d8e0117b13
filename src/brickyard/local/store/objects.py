"""API objects the local workspace keeps but does not run itself: SQL warehouses, dashboards,
alerts, apps, experiments, registered models, serving endpoints, quality monitors, database
instances and catalogs.

One table holds them all, one JSON document per object in the shape its API answers `get`, keyed
by (kind, id) with the name alongside for the APIs that look objects up by name. Each route module
shapes its own documents; this store only keeps them, in creation order, and answers a missing
object with the API's 404 and a taken name or id with its 409.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.store import paging
from brickyard.local.store.db import Database, dumps, loads


class ObjectStore:
    def __init__(self, db: Database, kind: str, what: str) -> None:
        self.db = db
        self.kind = kind
        self.what = what
        """How messages name one object (`SQL warehouse`)."""

    def create(self, id: str, name: str, doc: dict[str, Any], unique_name: bool = False) -> dict[str, Any]:
        with self.db.tx() as conn:
            taken = conn.execute(
                "SELECT 1 FROM api_objects WHERE kind = ? AND (id = ? OR (? AND name = ?))",
                (self.kind, id, unique_name, name),
            ).fetchone()
            if taken:
                raise ApiError.already_exists(f"{self.what} {name or id} already exists")
            conn.execute(
                "INSERT INTO api_objects(kind, id, name, created, doc) VALUES (?, ?, ?, ?, ?)",
                (self.kind, id, name, int(time.time() * 1000), dumps(doc)),
            )
        return doc

    def get(self, id: str) -> dict[str, Any]:
        row = self.db.one("SELECT doc FROM api_objects WHERE kind = ? AND id = ?", (self.kind, id))
        if row is None:
            raise ApiError.not_found(f"{self.what} {id} does not exist")
        doc: dict[str, Any] = loads(row["doc"])
        return doc

    def named(self, name: str) -> dict[str, Any] | None:
        row = self.db.one("SELECT doc FROM api_objects WHERE kind = ? AND name = ?", (self.kind, name))
        return loads(row["doc"]) if row is not None else None

    def put(self, id: str, doc: dict[str, Any], name: str | None = None, new_id: str | None = None) -> None:
        """Replace an object's document (and its name or id, when they change)."""
        with self.db.tx() as conn:
            row = conn.execute(
                "SELECT name FROM api_objects WHERE kind = ? AND id = ?", (self.kind, id)
            ).fetchone()
            if row is None:
                raise ApiError.not_found(f"{self.what} {id} does not exist")
            target = new_id or id
            if (
                target != id
                and conn.execute(
                    "SELECT 1 FROM api_objects WHERE kind = ? AND id = ?", (self.kind, target)
                ).fetchone()
            ):
                raise ApiError.already_exists(f"{self.what} {target} already exists")
            conn.execute(
                "UPDATE api_objects SET id = ?, name = ?, doc = ? WHERE kind = ? AND id = ?",
                (target, row["name"] if name is None else name, dumps(doc), self.kind, id),
            )

    def delete(self, id: str) -> dict[str, Any]:
        doc = self.get(id)
        self.db.execute("DELETE FROM api_objects WHERE kind = ? AND id = ?", (self.kind, id))
        return doc

    def all(self) -> list[dict[str, Any]]:
        rows = self.db.query("SELECT doc FROM api_objects WHERE kind = ? ORDER BY created, id", (self.kind,))
        return [loads(r["doc"]) for r in rows]

    def page(
        self, size: int | None, token: str | None, maximum: int = 1000
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page in creation order; no size (or 0) means the maximum."""
        limit = paging.limit(size, maximum, maximum, "page_size")
        offset = paging.decode(token)
        rows = self.db.query(
            "SELECT doc FROM api_objects WHERE kind = ? ORDER BY created, id LIMIT ? OFFSET ?",
            (self.kind, limit + 1, offset),
        )
        docs = [loads(r["doc"]) for r in rows]
        more = len(docs) > limit
        return docs[:limit], (paging.encode(offset + limit) if more else None)


# Object permission types (`/api/2.0/permissions/{type}/{id}`) of stored objects:
# type → (kind, the document field the id names, singular, levels).
PERMISSION_TYPES: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "warehouses": (
        "sql_warehouses",
        "id",
        "warehouse",
        ("CAN_VIEW", "CAN_MONITOR", "CAN_USE", "CAN_MANAGE", "IS_OWNER"),
    ),
    "dashboards": (
        "dashboards",
        "dashboard_id",
        "dashboard",
        ("CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"),
    ),
    "genie": ("genie_spaces", "space_id", "Genie space", ("CAN_VIEW", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE")),
    "alertsv2": ("alerts", "id", "alert", ("CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE")),
    "apps": ("apps", "name", "app", ("CAN_USE", "CAN_MANAGE")),
    "experiments": ("experiments", "experiment_id", "experiment", ("CAN_READ", "CAN_EDIT", "CAN_MANAGE")),
    "serving-endpoints": (
        "model_serving_endpoints",
        "id",
        "serving endpoint",
        ("CAN_VIEW", "CAN_QUERY", "CAN_MANAGE"),
    ),
    "database-instances": ("database_instances", "name", "database instance", ("CAN_USE", "CAN_MANAGE")),
}


def _warehouse(db: Database, object_id: str) -> dict[str, Any] | None:
    from brickyard.local.store.warehouses import WarehouseStore

    return WarehouseStore(db, "").find(object_id)


OWN_STORES: dict[str, Callable[[Database, str], dict[str, Any] | None]] = {"warehouses": _warehouse}
"""Permission object types whose objects live in a store of their own (warehouses run statements)."""


def permission_object(db: Database, object_type: str, object_id: str) -> dict[str, Any]:
    """The stored object a permission request names; the API's 404 when there is none."""
    kind, id_field, singular, _ = PERMISSION_TYPES[object_type]
    own = OWN_STORES.get(object_type)
    found = own(db, object_id) if own is not None else None
    if found is not None:
        return found
    for doc in ObjectStore(db, kind, singular).all():
        if str(doc.get(id_field)) == object_id:
            return doc
    raise ApiError.not_found(f"{singular.capitalize()} {object_id} does not exist.")


@dataclass(frozen=True)
class ObjectStores:
    """The stores of stored-only objects over one database, for routes that know only the kind."""

    db: Database

    def of(self, kind: str, what: str) -> ObjectStore:
        return ObjectStore(self.db, kind, what)

    def next_id(self, name: str, start: int) -> int:
        return int(self.db.next_id(name, start=start))

    def permission_object(self, object_type: str, object_id: str) -> dict[str, Any]:
        return permission_object(self.db, object_type, object_id)
