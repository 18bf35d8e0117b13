"""The backup's own catalogue: one manifest per backup, written last, naming every file it needs.

Layout of a backup location:

    tables/<catalog.schema.table>/data/<file>   data files, shared by every backup that needs them
    backups/<backup id>/manifest.json           one backup: each table's version, schema, files

Delta data files are never rewritten in place, so a file already in `tables/` with the same size is
the same file: a later backup copies only files that are new. The manifest is written only once
every file it lists is in place, so an interrupted backup leaves no backup behind, only files the
next backup reuses. Backup ids sort by time.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from brickyard.dr.location import Location
from brickyard.dr.snapshot import TableSnapshot
from brickyard.errors import RecoveryError, UsageError

FORMAT = 1


def data_key(full_name: str, path: str) -> str:
    return f"tables/{full_name}/data/{path}"


def manifest_key(backup_id: str) -> str:
    return f"backups/{backup_id}/manifest.json"


def new_backup_id(now: dt.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


@dataclass(frozen=True)
class TableBackup:
    full_name: str
    table_type: str
    snapshot: TableSnapshot
    comment: str | None = None
    properties: dict[str, str] | None = None
    grants: list[dict[str, Any]] = field(default_factory=list)
    copied_files: int = 0
    copied_bytes: int = 0

    @property
    def bytes(self) -> int:
        return sum(f.size for f in self.snapshot.files)

    def as_json(self) -> dict[str, Any]:
        return {
            "full_name": self.full_name,
            "table_type": self.table_type,
            "comment": self.comment,
            "properties": self.properties,
            "grants": self.grants,
            "copied_files": self.copied_files,
            "copied_bytes": self.copied_bytes,
            **self.snapshot.as_json(),
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> TableBackup:
        return cls(
            full_name=str(doc["full_name"]),
            table_type=str(doc.get("table_type") or "MANAGED"),
            snapshot=TableSnapshot.from_json(doc),
            comment=doc.get("comment"),
            properties=doc.get("properties"),
            grants=list(doc.get("grants") or []),
            copied_files=int(doc.get("copied_files") or 0),
            copied_bytes=int(doc.get("copied_bytes") or 0),
        )


@dataclass(frozen=True)
class Manifest:
    id: str
    created: str
    """ISO 8601, UTC."""
    bundle: str
    target: str
    tables: list[TableBackup]

    @property
    def created_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.created)

    def table(self, full_name: str) -> TableBackup | None:
        return next((t for t in self.tables if t.full_name == full_name), None)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "id": self.id,
            "created": self.created,
            "bundle": self.bundle,
            "target": self.target,
            "tables": [t.as_json() for t in self.tables],
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Manifest:
        if int(doc.get("format", 0)) > FORMAT:
            raise RecoveryError(
                f"backup {doc.get('id')} was written by a newer brickyard (format {doc.get('format')}); upgrade to read it"
            )
        return cls(
            id=str(doc["id"]),
            created=str(doc["created"]),
            bundle=str(doc.get("bundle") or ""),
            target=str(doc.get("target") or ""),
            tables=[TableBackup.from_json(t) for t in doc.get("tables") or []],
        )


def write_manifest(location: Location, manifest: Manifest) -> None:
    data = json.dumps(manifest.as_json(), indent=1, sort_keys=True).encode()
    location.put_bytes(manifest_key(manifest.id), data)


def list_manifests(location: Location) -> list[Manifest]:
    found = []
    for key in location.list("backups"):
        if key.endswith("/manifest.json"):
            try:
                found.append(Manifest.from_json(json.loads(location.get_bytes(key))))
            except (ValueError, KeyError, TypeError) as err:
                raise RecoveryError(f"{location.url}/{key} is not a readable manifest: {err}") from None
    return sorted(found, key=lambda m: (m.created, m.id))


def parse_time(text: str) -> dt.datetime:
    """`2026-12-01`, `2026-12-01T14:30`, `2026-12-01 14:30:00+01:00`; naive times are UTC."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--at {text!r} is not a date or time (use 2026-12-01 or 2026-12-01T14:30)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    if len(text.strip()) == 10:  # a bare date means the end of that day
        value += dt.timedelta(days=1) - dt.timedelta(microseconds=1)
    return value


def choose(manifests: list[Manifest], backup_id: str | None, at: str | None, where: str) -> Manifest:
    if not manifests:
        raise RecoveryError(f"no backup in {where}")
    if backup_id:
        for manifest in manifests:
            if manifest.id == backup_id:
                return manifest
        known = ", ".join(m.id for m in manifests[-5:])
        raise RecoveryError(f"no backup {backup_id} in {where} (latest: {known})")
    if at:
        moment = parse_time(at)
        earlier = [m for m in manifests if m.created_at <= moment]
        if not earlier:
            raise RecoveryError(f"no backup in {where} was taken at or before {moment.isoformat()}")
        return earlier[-1]
    return manifests[-1]
