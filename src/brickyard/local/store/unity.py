"""Unity Catalog metadata: catalogs, schemas and grants, over the workspace's table catalog.

What exists is decided by the workspace catalog (`store.catalog`), which tasks keep up to date: a
schema a task created with SQL is a schema here too, and one the API creates is registered there,
so the next task's session has it. This store adds what UC says about an object and Spark does not
(comment, properties, owner, timestamps) and the grants, which are stored and answered but never
enforced (the local workspace has one user). Names are lower case, as Unity Catalog keeps them.

Catalogs are `main` and `hive_metastore`, which the engine always has, plus catalogs created
through the API; Sail's catalogs are fixed when the engine starts, so creating one restarts the
engine (see `runs.compute`).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.engine import DEFAULT_CATALOGS
from brickyard.local.store.catalog import CatalogChanges, CatalogStore
from brickyard.local.store.db import Database, dumps, loads

DEFAULT_SCHEMA = "default"
SECURABLES = ("catalog", "schema", "table", "volume", "function")
"""Securable types the grants API keeps; a registered model's grants go by `function`, as in Unity
Catalog."""


def not_found(kind: str, full_name: str) -> ApiError:
    return ApiError(
        404, f"{kind.upper()}_DOES_NOT_EXIST", f"{kind.capitalize()} '{full_name}' does not exist."
    )


def split_full_name(full_name: str, parts: int, kind: str) -> list[str]:
    names = full_name.lower().split(".")
    if len(names) != parts or not all(names):
        example = ".".join([*["catalog", "schema"][: parts - 1], kind])
        raise ApiError.invalid(f"'{full_name}' is not a {kind} name; expected {example}")
    return names


def check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ApiError.invalid(f"{what} must be a non-empty string")
    if any(c in name for c in "./ ") or any(ord(c) < 32 for c in name):
        raise ApiError.invalid(f"{what} {name!r} may not contain '.', '/', spaces or control characters")
    return name.lower()


class UnityStore:
    def __init__(self, db: Database, catalog: CatalogStore, user: str, workspace_id: str) -> None:
        self.db = db
        self.catalog = catalog
        self.user = user
        self.metastore_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"brickyard-local/{workspace_id}"))

    def stamp(self, doc: dict[str, Any], created: bool) -> dict[str, Any]:
        now = int(time.time() * 1000)
        if created:
            doc.update(created_at=now, created_by=self.user, owner=doc.get("owner") or self.user)
        doc.update(updated_at=now, updated_by=self.user, metastore_id=self.metastore_id)
        return doc

    # ---- catalogs ---------------------------------------------------------------------------------

    def created_catalogs(self) -> list[str]:
        rows = self.db.query("SELECT name, doc FROM uc_catalogs ORDER BY name")
        return [r["name"] for r in rows if not loads(r["doc"]).get("_builtin")]

    def catalogs(self) -> list[dict[str, Any]]:
        return [self.get_catalog(name) for name in [*DEFAULT_CATALOGS, *self.created_catalogs()]]

    def get_catalog(self, name: str) -> dict[str, Any]:
        name = name.lower()
        row = self.db.one("SELECT doc FROM uc_catalogs WHERE name = ?", (name,))
        if row is not None:
            doc: dict[str, Any] = {k: v for k, v in loads(row["doc"]).items() if k != "_builtin"}
            return doc
        if name in DEFAULT_CATALOGS:
            return self._builtin(name)
        raise not_found("catalog", name)

    def _builtin(self, name: str) -> dict[str, Any]:
        doc = {
            "name": name,
            "full_name": name,
            "catalog_type": "MANAGED_CATALOG" if name != "hive_metastore" else "INTERNAL_CATALOG",
            "securable_type": "CATALOG",
            "isolation_mode": "OPEN",
            "owner": self.user,
            "created_by": self.user,
            "metastore_id": self.metastore_id,
        }
        if name == "main":
            doc["comment"] = "Main catalog (auto-created)"
        return doc

    def create_catalog(self, name: str, comment: str | None, properties: dict[str, str]) -> dict[str, Any]:
        name = check_name(name, "name")
        if name in DEFAULT_CATALOGS or self.db.one("SELECT 1 FROM uc_catalogs WHERE name = ?", (name,)):
            raise ApiError.already_exists(f"Catalog '{name}' already exists.")
        doc: dict[str, Any] = {
            "name": name,
            "full_name": name,
            "catalog_type": "MANAGED_CATALOG",
            "securable_type": "CATALOG",
            "isolation_mode": "OPEN",
        }
        if comment:
            doc["comment"] = comment
        if properties:
            doc["properties"] = properties
        self.db.execute(
            "INSERT INTO uc_catalogs(name, doc) VALUES (?, ?)", (name, dumps(self.stamp(doc, True)))
        )
        return doc

    def update_catalog(self, name: str, changes: dict[str, Any]) -> dict[str, Any]:
        doc = self.get_catalog(name)
        doc.update({k: v for k, v in changes.items() if v is not None})
        stored = {**self.stamp(doc, False), "_builtin": doc["name"] in DEFAULT_CATALOGS}
        self.db.execute(
            "INSERT INTO uc_catalogs(name, doc) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET doc = excluded.doc",
            (doc["name"], dumps(stored)),
        )
        return doc

    def delete_catalog(self, name: str) -> None:
        self.db.execute("DELETE FROM uc_catalogs WHERE name = ?", (name.lower(),))
        self.db.execute("DELETE FROM uc_grants WHERE securable_type = 'catalog' AND full_name = ?", (name,))

    # ---- schemas ----------------------------------------------------------------------------------

    def schema_names(self, catalog: str) -> list[str]:
        self.get_catalog(catalog)
        known = {name for _, name in self.catalog.schemas(catalog)}
        known |= {
            r["name"] for r in self.db.query("SELECT name FROM uc_schemas WHERE catalog = ?", (catalog,))
        }
        return sorted(known | {DEFAULT_SCHEMA})

    def find_schema(self, catalog: str, name: str) -> dict[str, Any] | None:
        if catalog not in [c["name"] for c in self.catalogs()] or name not in self.schema_names(catalog):
            return None
        row = self.db.one("SELECT doc FROM uc_schemas WHERE catalog = ? AND name = ?", (catalog, name))
        doc: dict[str, Any] = loads(row["doc"]) if row is not None else {"owner": self.user}
        doc.update(
            name=name,
            catalog_name=catalog,
            full_name=f"{catalog}.{name}",
            catalog_type="MANAGED_CATALOG",
            metastore_id=self.metastore_id,
        )
        return doc

    def get_schema(self, full_name: str) -> dict[str, Any]:
        catalog, name = split_full_name(full_name, 2, "schema")
        self.get_catalog(catalog)
        doc = self.find_schema(catalog, name)
        if doc is None:
            raise not_found("schema", f"{catalog}.{name}")
        return doc

    def create_schema(self, catalog: str, name: str, fields: dict[str, Any]) -> dict[str, Any]:
        catalog, name = check_name(catalog, "catalog_name"), check_name(name, "name")
        self.get_catalog(catalog)
        if self.find_schema(catalog, name) is not None:
            raise ApiError.already_exists(f"Schema '{catalog}.{name}' already exists.")
        doc = self.stamp({k: v for k, v in fields.items() if v is not None}, True)
        doc["schema_id"] = str(uuid.uuid4())
        with self.db.tx():
            self.db.execute(
                "INSERT INTO uc_schemas(catalog, name, doc) VALUES (?, ?, ?)", (catalog, name, dumps(doc))
            )
            self.catalog.apply(CatalogChanges([(catalog, name)], [], [], []))
        return self.get_schema(f"{catalog}.{name}")

    def update_schema(self, full_name: str, changes: dict[str, Any]) -> dict[str, Any]:
        doc = self.get_schema(full_name)
        doc.update({k: v for k, v in changes.items() if v is not None})
        self.db.execute(
            "INSERT INTO uc_schemas(catalog, name, doc) VALUES (?, ?, ?) "
            "ON CONFLICT(catalog, name) DO UPDATE SET doc = excluded.doc",
            (doc["catalog_name"], doc["name"], dumps(self.stamp(doc, False))),
        )
        return doc

    def delete_schema(self, catalog: str, name: str) -> None:
        """Forget the schema, its tables and its grants (volumes are the caller's to remove first)."""
        with self.db.tx() as conn:
            self.catalog.apply(CatalogChanges([], [(catalog, name)], [], []))
            conn.execute("DELETE FROM uc_schemas WHERE catalog = ? AND name = ?", (catalog, name))
            conn.execute(
                "DELETE FROM uc_grants WHERE (securable_type = 'schema' AND full_name = ?) "
                "OR (securable_type IN ('table', 'volume') AND full_name LIKE ?)",
                (f"{catalog}.{name}", f"{catalog}.{name}.%"),
            )

    # ---- grants -----------------------------------------------------------------------------------

    def grants(self, securable: str, full_name: str, principal: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT principal, privileges FROM uc_grants WHERE securable_type = ? AND full_name = ?"
        params = [securable, full_name]
        if principal:
            sql += " AND principal = ?"
            params.append(principal)
        rows = self.db.query(sql + " ORDER BY principal", params)
        return [{"principal": r["principal"], "privileges": loads(r["privileges"])} for r in rows]

    def change_grants(self, securable: str, full_name: str, changes: list[dict[str, Any]]) -> None:
        with self.db.tx() as conn:
            for change in changes:
                principal = change["principal"]
                current = {p for g in self.grants(securable, full_name, principal) for p in g["privileges"]}
                current = (current | set(change.get("add") or [])) - set(change.get("remove") or [])
                conn.execute(
                    "DELETE FROM uc_grants WHERE securable_type = ? AND full_name = ? AND principal = ?",
                    (securable, full_name, principal),
                )
                if current:
                    conn.execute(
                        "INSERT INTO uc_grants(securable_type, full_name, principal, privileges) VALUES (?, ?, ?, ?)",
                        (securable, full_name, principal, dumps(sorted(current))),
                    )

    def drop_grants(self, securable: str, full_name: str) -> None:
        self.db.execute(
            "DELETE FROM uc_grants WHERE securable_type = ? AND full_name = ?", (securable, full_name)
        )
