"""The locked packages a scan looks at, each with the line of the lock that pins it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from brickyard.errors import Location

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(?P<version>[^\s;\\]+)")


@dataclass(frozen=True)
class Pinned:
    name: str
    version: str
    location: Location

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)


def pinned_packages(lock: Path, display: str) -> list[Pinned]:
    out = []
    for number, raw in enumerate(lock.read_text(encoding="utf-8").splitlines(), start=1):
        match = _PIN.match(raw)
        if match:
            out.append(Pinned(match["name"], match["version"], Location(display, number, 1)))
    return out


def project_locks(root: Path, directory: str) -> list[tuple[Path, str]]:
    """Every lock the project has (`requirements*.txt` written by `deps lock`), with its display path."""
    from brickyard.deps.layout import existing_layouts

    found = []
    for layout in existing_layouts(root, directory):
        if layout.path(layout.lock).is_file():
            found.append((layout.path(layout.lock), layout.lock))
    return found
