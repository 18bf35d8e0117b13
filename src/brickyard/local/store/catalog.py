"""The workspace's table catalog: schemas, tables with their locations, views with their text.

It is the source of truth that every task's Spark session starts from, because the engine's own
catalog lives only as long as one session (see `runs.catalog`). Tasks report change sets, applied
here in one transaction each.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from brickyard.local.store.db import Database


@dataclass(frozen=True)
class TableEntry:
    catalog: str
    schema: str
    name: str
    kind: str
    """MANAGED, EXTERNAL or VIEW."""
    provider: str | None = None
    location: str | None = None
    view_text: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.catalog, self.schema, self.name)

    @property
    def full_name(self) -> str:
        return ".".join("`" + part.replace("`", "``") + "`" for part in self.key)


@dataclass(frozen=True)
class CatalogSnapshot:
    schemas: list[tuple[str, str]]
    tables: list[TableEntry]

    def to_json(self) -> str:
        return json.dumps({"schemas": self.schemas, "tables": [asdict(t) for t in self.tables]})

    @classmethod
    def from_json(cls, text: str) -> CatalogSnapshot:
        doc = json.loads(text)
        return cls([(c, s) for c, s in doc["schemas"]], [TableEntry(**t) for t in doc["tables"]])


@dataclass(frozen=True)
class CatalogChanges:
    created_schemas: list[tuple[str, str]]
    dropped_schemas: list[tuple[str, str]]
    upserted: list[TableEntry]
    dropped: list[tuple[str, str, str]]

    @classmethod
    def between(cls, before: CatalogSnapshot, after: CatalogSnapshot) -> CatalogChanges:
        old_schemas, new_schemas = set(before.schemas), set(after.schemas)
        old_tables = {t.key: t for t in before.tables}
        new_tables = {t.key: t for t in after.tables}
        return cls(
            created_schemas=sorted(new_schemas - old_schemas),
            dropped_schemas=sorted(old_schemas - new_schemas),
            upserted=[t for key, t in new_tables.items() if not same_entry(old_tables.get(key), t)],
            dropped=sorted(set(old_tables) - set(new_tables)),
        )

    def __bool__(self) -> bool:
        return bool(self.created_schemas or self.dropped_schemas or self.upserted or self.dropped)

    def as_json(self) -> dict[str, Any]:
        return {
            "created_schemas": self.created_schemas,
            "dropped_schemas": self.dropped_schemas,
            "upserted": [asdict(t) for t in self.upserted],
            "dropped": self.dropped,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> CatalogChanges:
        return cls(
            created_schemas=[(c, s) for c, s in doc.get("created_schemas", [])],
            dropped_schemas=[(c, s) for c, s in doc.get("dropped_schemas", [])],
            upserted=[TableEntry(**t) for t in doc.get("upserted", [])],
            dropped=[(c, s, n) for c, s, n in doc.get("dropped", [])],
        )


def same_entry(old: TableEntry | None, new: TableEntry) -> bool:
    """A managed table replayed at its location comes back as EXTERNAL: that is not a change."""
    if old is None:
        return False
    tables = ("MANAGED", "EXTERNAL")
    return old == new or (
        old.kind in tables and new.kind in tables and old == TableEntry(**{**asdict(new), "kind": old.kind})
    )


class CatalogStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def load(self) -> CatalogSnapshot:
        schemas = [
            (r["catalog"], r["name"]) for r in self.db.query("SELECT * FROM catalog_schemas ORDER BY 1, 2")
        ]
        tables = [
            _entry(r) for r in self.db.query("SELECT * FROM catalog_tables ORDER BY catalog, schema, name")
        ]
        return CatalogSnapshot(schemas, tables)

    def apply(self, changes: CatalogChanges) -> None:
        with self.db.tx() as conn:
            for catalog, schema in changes.dropped_schemas:
                conn.execute("DELETE FROM catalog_schemas WHERE catalog = ? AND name = ?", (catalog, schema))
                conn.execute("DELETE FROM catalog_tables WHERE catalog = ? AND schema = ?", (catalog, schema))
                conn.execute("DELETE FROM uc_schemas WHERE catalog = ? AND name = ?", (catalog, schema))
            conn.executemany(
                "INSERT OR IGNORE INTO catalog_schemas(catalog, name) VALUES (?, ?)", changes.created_schemas
            )
            conn.executemany(
                "DELETE FROM catalog_tables WHERE catalog = ? AND schema = ? AND name = ?", changes.dropped
            )
            conn.executemany(
                "INSERT OR REPLACE INTO catalog_tables(catalog, schema, name, kind, provider, location, view_text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (t.catalog, t.schema, t.name, t.kind, t.provider, t.location, t.view_text)
                    for t in changes.upserted
                ],
            )

    def schemas(self, catalog: str | None = None) -> list[tuple[str, str]]:
        """The schemas tasks have created or the API registered, optionally of one catalog."""
        sql, params = "SELECT catalog, name FROM catalog_schemas", []
        if catalog is not None:
            sql += " WHERE catalog = ?"
            params.append(catalog)
        return [(r["catalog"], r["name"]) for r in self.db.query(sql + " ORDER BY 1, 2", params)]

    def tables(self, catalog: str, schema: str | None = None) -> list[TableEntry]:
        sql, params = "SELECT * FROM catalog_tables WHERE catalog = ?", [catalog]
        if schema is not None:
            sql += " AND schema = ?"
            params.append(schema)
        return [_entry(r) for r in self.db.query(sql + " ORDER BY schema, name", params)]

    def table(self, catalog: str, schema: str, name: str) -> TableEntry | None:
        row = self.db.one(
            "SELECT * FROM catalog_tables WHERE catalog = ? AND schema = ? AND name = ?",
            (catalog, schema, name),
        )
        return None if row is None else _entry(row)


def _entry(row: Any) -> TableEntry:
    return TableEntry(
        row["catalog"],
        row["schema"],
        row["name"],
        row["kind"],
        row["provider"],
        row["location"],
        row["view_text"],
    )
