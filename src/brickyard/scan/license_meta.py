"""Where a locked package's licence is read from: wheels, an environment, or brickyard's own.

Locked packages are rarely all installed where the scan runs, so three sources are tried, first
hit wins: the wheels in a find-links directory (their `METADATA`, read from the zip without
installing), an environment built from the lock (its Python asked through `importlib.metadata`),
and the environment brickyard itself runs in. A source only answers for the exact locked version.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.parser import HeaderParser
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from brickyard.errors import DepsError


@dataclass(frozen=True)
class LicenseInfo:
    expression: str | None
    """PEP 639 License-Expression, when the package declares one."""
    license: str | None
    classifiers: tuple[str, ...]
    source: str


def _from_headers(text: str, source: str) -> LicenseInfo:
    headers = HeaderParser().parsestr(text)
    classifiers = tuple(c for c in headers.get_all("Classifier") or [] if c.startswith("License ::"))
    return LicenseInfo(headers.get("License-Expression"), headers.get("License"), classifiers, source)


class WheelDirectory:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._index: dict[tuple[str, str], Path] = {}
        for wheel in sorted(directory.glob("*.whl")):
            try:
                name, version, _, _ = parse_wheel_filename(wheel.name)
            except InvalidWheelFilename:
                continue
            self._index.setdefault((name, str(version)), wheel)

    def lookup(self, name: str, version: str) -> LicenseInfo | None:
        wheel = self._index.get((canonicalize_name(name), version))
        if wheel is None:
            return None
        with zipfile.ZipFile(wheel) as archive:
            member = next((n for n in archive.namelist() if n.endswith(".dist-info/METADATA")), None)
            if member is None:
                return None
            text = archive.read(member).decode("utf-8", errors="replace")
        return _from_headers(text, f"wheel {wheel.name}")


_PROBE = """
import json
from importlib import metadata
out = {}
for d in metadata.distributions():
    m = d.metadata
    if m["Name"]:
        out.setdefault(m["Name"], [d.version, m.get("License-Expression"), m.get("License"),
                       [c for c in (m.get_all("Classifier") or []) if c.startswith("License ::")]])
print(json.dumps(out))
"""


class Environment:
    """An interpreter's installed distributions (another environment: asked through a subprocess)."""

    def __init__(self, python: str | None = None) -> None:
        self.python = python
        self._dists: dict[str, tuple[str, LicenseInfo]] = {}
        if python is None:
            for dist in metadata.distributions():
                name = dist.metadata["Name"]
                if name:
                    meta: Any = dist.metadata
                    classifiers = tuple(
                        c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")
                    )
                    info = LicenseInfo(
                        meta.get("License-Expression"), meta.get("License"), classifiers, "this environment"
                    )
                    self._dists.setdefault(canonicalize_name(name), (dist.version, info))
        else:
            try:
                done = subprocess.run([python, "-c", _PROBE], capture_output=True, text=True, check=True)
            except (OSError, subprocess.CalledProcessError) as err:
                raise DepsError(f"cannot read the packages of the environment {python}: {err}") from None
            for name, (version, expression, text, classifiers) in json.loads(done.stdout).items():
                info = LicenseInfo(expression, text, tuple(classifiers), f"environment {python}")
                self._dists.setdefault(canonicalize_name(name), (version, info))

    def lookup(self, name: str, version: str) -> LicenseInfo | None:
        found = self._dists.get(canonicalize_name(name))
        return found[1] if found is not None and found[0] == version else None


class MetadataSources:
    def __init__(self, sources: Sequence[WheelDirectory | Environment]) -> None:
        self.sources = list(sources)

    @classmethod
    def build(cls, find_links: Iterable[Path] = (), python: str | None = None) -> MetadataSources:
        sources: list[WheelDirectory | Environment] = [WheelDirectory(d) for d in find_links if d.is_dir()]
        if python is not None:
            sources.append(Environment(python))
        sources.append(Environment())
        return cls(sources)

    def lookup(self, name: str, version: str) -> LicenseInfo | None:
        for source in self.sources:
            found = source.lookup(name, version)
            if found is not None:
                return found
        return None
