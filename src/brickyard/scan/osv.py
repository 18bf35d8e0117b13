"""Offline vulnerability data: a directory of OSV records (the format of osv.dev and PyPA's advisory DB).

Where the vulnerability service cannot be reached (an air-gapped CI runner), a team mirrors the
PyPI part of the OSV database (or its own advisories) into a directory of `*.json` files and scans
against that. Matching follows the OSV schema: a version is affected when it is listed in
`versions`, or falls in an `ECOSYSTEM` range between an `introduced` event and the next `fixed`
(exclusive) or `last_affected` (inclusive) event. Withdrawn records are ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from brickyard.errors import FindingsError


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    package: str
    fixed: tuple[str, ...]


@dataclass
class AdvisoryDatabase:
    records: list[dict[str, Any]]
    directory: Path

    @classmethod
    def load(cls, directory: Path) -> AdvisoryDatabase:
        if not directory.is_dir():
            raise FindingsError(f"advisory directory {directory} not found")
        records: list[dict[str, Any]] = []
        for path in sorted(directory.rglob("*.json")):
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
                raise FindingsError(f"{path} is not an OSV JSON record: {err}") from None
            records.extend(doc if isinstance(doc, list) else [doc])
        return cls(records, directory)

    def affecting(self, name: str, version: str) -> list[Advisory]:
        wanted = canonicalize_name(name)
        found = []
        for record in self.records:
            if record.get("withdrawn"):
                continue
            for affected in record.get("affected", []):
                package = affected.get("package", {})
                if package.get("ecosystem") != "PyPI" or canonicalize_name(package.get("name", "")) != wanted:
                    continue
                if _affects(affected, version):
                    found.append(
                        Advisory(
                            id=str(record.get("id", "")),
                            aliases=tuple(record.get("aliases", [])),
                            summary=str(record.get("summary") or record.get("details", ""))
                            .strip()
                            .split("\n")[0],
                            package=name,
                            fixed=_fixed_versions(affected),
                        )
                    )
                    break
        return found


def _affects(affected: dict[str, Any], version: str) -> bool:
    if version in affected.get("versions", []):
        return True
    try:
        current = Version(version)
    except InvalidVersion:
        return False
    for range_ in affected.get("ranges", []):
        if range_.get("type") != "ECOSYSTEM":
            continue
        if _in_range(current, range_.get("events", [])):
            return True
    return False


def _in_range(current: Version, events: list[dict[str, str]]) -> bool:
    def key(event: dict[str, str]) -> Version:
        value = next(iter(event.values()))
        return Version("0") if value == "0" else Version(value)

    affected = False
    for event in sorted(events, key=key):
        if "introduced" in event and current >= key(event):
            affected = True
        elif ("fixed" in event and current >= key(event)) or (
            "last_affected" in event and current > key(event)
        ):
            affected = False
    return affected


def _fixed_versions(affected: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        event["fixed"]
        for range_ in affected.get("ranges", [])
        for event in range_.get("events", [])
        if "fixed" in event
    )
