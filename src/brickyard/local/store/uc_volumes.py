"""Unity Catalog volumes: a managed volume is a directory, an external one a link to a directory.

`/Volumes/<c>/<s>/<v>/…` is `<storage_root>/volumes/<c>/<s>/<v>/…` for every reader (tasks,
`dbutils.fs`, the Files API, Auto Loader in pipelines; see `protocol`). A MANAGED volume owns that
directory: it is created with the volume and deleted with it (files already written there before
the volume existed are adopted). An EXTERNAL volume's `storage_location` must be a local directory
(`file:/…` or an absolute path; cloud URLs cannot be reached from here); the volume's path becomes
a symbolic link to it, and deleting the volume removes the link, never the data.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from brickyard.local.apierror import ApiError
from brickyard.local.store.db import Database, dumps, loads
from brickyard.local.store.unity import UnityStore, check_name, not_found, split_full_name

VOLUME_TYPES = ("MANAGED", "EXTERNAL")


class VolumeStore:
    def __init__(self, db: Database, unity: UnityStore, storage_root: Path) -> None:
        self.db = db
        self.unity = unity
        self.storage_root = storage_root

    def directory(self, catalog: str, schema: str, name: str) -> Path:
        return self.storage_root / "volumes" / catalog / schema / name

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        catalog = check_name(body.get("catalog_name"), "catalog_name")
        schema = check_name(body.get("schema_name"), "schema_name")
        name = check_name(body.get("name"), "name")
        volume_type = str(body.get("volume_type") or "")
        if volume_type not in VOLUME_TYPES:
            raise ApiError.invalid(f"volume_type must be MANAGED or EXTERNAL; got {volume_type!r}")
        self.unity.get_schema(f"{catalog}.{schema}")
        if self.find(catalog, schema, name) is not None:
            raise ApiError.already_exists(f"Volume '{catalog}.{schema}.{name}' already exists.")
        directory = self.directory(catalog, schema, name)
        location = body.get("storage_location")
        if volume_type == "MANAGED":
            if location:
                raise ApiError.invalid(
                    "A MANAGED volume cannot have a storage_location; its storage is managed."
                )
            directory.mkdir(parents=True, exist_ok=True)
            location = directory.as_uri()
        else:
            target = _local_location(location)
            if directory.exists() or directory.is_symlink():
                raise ApiError.already_exists(f"/Volumes/{catalog}/{schema}/{name} already holds files.")
            target.mkdir(parents=True, exist_ok=True)
            directory.parent.mkdir(parents=True, exist_ok=True)
            directory.symlink_to(target, target_is_directory=True)
        doc: dict[str, Any] = {
            "name": name,
            "catalog_name": catalog,
            "schema_name": schema,
            "full_name": f"{catalog}.{schema}.{name}",
            "volume_type": volume_type,
            "storage_location": location,
            "volume_id": str(uuid.uuid4()),
        }
        if body.get("comment"):
            doc["comment"] = body["comment"]
        self._save(self.unity.stamp(doc, True), insert=True)
        return doc

    def find(self, catalog: str, schema: str, name: str) -> dict[str, Any] | None:
        row = self.db.one(
            "SELECT doc FROM uc_volumes WHERE catalog = ? AND schema = ? AND name = ?",
            (catalog, schema, name),
        )
        return None if row is None else dict(loads(row["doc"]))

    def get(self, full_name: str) -> dict[str, Any]:
        catalog, schema, name = split_full_name(full_name, 3, "volume")
        doc = self.find(catalog, schema, name)
        if doc is None:
            raise not_found("volume", f"{catalog}.{schema}.{name}")
        return doc

    def list(self, catalog: str, schema: str) -> list[dict[str, Any]]:
        self.unity.get_schema(f"{catalog}.{schema}")
        rows = self.db.query(
            "SELECT doc FROM uc_volumes WHERE catalog = ? AND schema = ? ORDER BY name", (catalog, schema)
        )
        return [dict(loads(r["doc"])) for r in rows]

    def update(self, full_name: str, changes: dict[str, Any]) -> dict[str, Any]:
        doc = self.get(full_name)
        new_name = changes.pop("new_name", None)
        doc.update({k: v for k, v in changes.items() if v is not None})
        if new_name and check_name(new_name, "new_name") != doc["name"]:
            new_name = new_name.lower()
            if self.find(doc["catalog_name"], doc["schema_name"], new_name) is not None:
                raise ApiError.already_exists(
                    f"Volume '{doc['catalog_name']}.{doc['schema_name']}.{new_name}' already exists."
                )
            old = self.directory(doc["catalog_name"], doc["schema_name"], doc["name"])
            new = self.directory(doc["catalog_name"], doc["schema_name"], new_name)
            if new.exists() or new.is_symlink():
                raise ApiError.already_exists(
                    f"/Volumes/{doc['catalog_name']}/{doc['schema_name']}/{new_name} already holds files."
                )
            if old.exists() or old.is_symlink():
                old.rename(new)
            self._delete_row(doc)
            self.unity.drop_grants("volume", doc["full_name"])
            doc.update(name=new_name, full_name=f"{doc['catalog_name']}.{doc['schema_name']}.{new_name}")
            if doc["volume_type"] == "MANAGED":
                doc["storage_location"] = new.as_uri()
            self._save(self.unity.stamp(doc, False), insert=True)
            return doc
        self._save(self.unity.stamp(doc, False), insert=False)
        return doc

    def delete(self, full_name: str) -> None:
        doc = self.get(full_name)
        directory = self.directory(doc["catalog_name"], doc["schema_name"], doc["name"])
        if directory.is_symlink():
            directory.unlink()
        elif doc["volume_type"] == "MANAGED":
            shutil.rmtree(directory, ignore_errors=True)
        self._delete_row(doc)
        self.unity.drop_grants("volume", doc["full_name"])

    def _save(self, doc: dict[str, Any], insert: bool) -> None:
        key = (doc["catalog_name"], doc["schema_name"], doc["name"])
        if insert:
            self.db.execute(
                "INSERT INTO uc_volumes(catalog, schema, name, doc) VALUES (?, ?, ?, ?)", (*key, dumps(doc))
            )
        else:
            self.db.execute(
                "UPDATE uc_volumes SET doc = ? WHERE catalog = ? AND schema = ? AND name = ?",
                (dumps(doc), *key),
            )

    def _delete_row(self, doc: dict[str, Any]) -> None:
        self.db.execute(
            "DELETE FROM uc_volumes WHERE catalog = ? AND schema = ? AND name = ?",
            (doc["catalog_name"], doc["schema_name"], doc["name"]),
        )


def _local_location(location: Any) -> Path:
    if not isinstance(location, str) or not location:
        raise ApiError.invalid("An EXTERNAL volume needs a storage_location.")
    parsed = urlparse(location)
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path))
    elif not parsed.scheme and location.startswith("/"):
        path = Path(location)
    else:
        raise ApiError.invalid(
            f"storage_location {location} is not reachable from the local workspace; "
            "an EXTERNAL volume here needs a local directory (file:/path or /path)"
        )
    return path.resolve()
