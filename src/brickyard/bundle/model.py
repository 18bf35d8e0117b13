"""The resolved bundle: one target, every reference filled that can be, every value located."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from brickyard.bundle.git import GitInfo
from brickyard.bundle.identity import CurrentUser
from brickyard.bundle.node import Node, Path, lookup, nearest_location
from brickyard.errors import Diagnostic, Location, Severity

LOCAL_HOSTS = ("", "local")


@dataclass(frozen=True)
class Bundle:
    root: FsPath
    """The directory holding databricks.yml."""
    target: str
    config: Node
    current_user: CurrentUser
    diagnostics: tuple[Diagnostic, ...] = ()
    sources: dict[str, FsPath] = field(default_factory=dict)
    """Deployed workspace path → local file, for notebooks and files referenced by resources."""
    git: GitInfo = field(default_factory=GitInfo)
    """The checkout the bundle was loaded from (read once: deploy and release records reuse it)."""

    @property
    def name(self) -> str:
        return str(self.get("bundle", "name") or "")

    @property
    def mode(self) -> str | None:
        mode = self.get("bundle", "mode")
        return str(mode) if mode else None

    @property
    def host(self) -> str | None:
        """The workspace URL, or None for the embedded local workspace (no host, or `host: local`)."""
        host = self.get("workspace", "host")
        return None if host is None or str(host).strip() in LOCAL_HOSTS else str(host).rstrip("/")

    @property
    def profile(self) -> str | None:
        profile = self.get("workspace", "profile")
        return str(profile) if profile else None

    @property
    def workspace(self) -> dict[str, Any]:
        value = self.get("workspace")
        return value if isinstance(value, dict) else {}

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """Validate's warnings, and for deploy the resources it leaves out."""
        from brickyard.bundle.checks import undeployable

        found = tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)
        return found + tuple(undeployable(self.config))

    def get(self, *path: str | int) -> Any:
        node = lookup(self.config, path)
        return node.plain() if node is not None else None

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        group = self.get("resources", kind)
        return group if isinstance(group, dict) else {}

    def location(self, path: Path) -> Location | None:
        return nearest_location(self.config, path)

    def as_json(self) -> dict[str, Any]:
        """The resolved configuration in the shape `databricks bundle validate -o json` prints."""
        return config_json(self.config)


def config_json(config: Node) -> dict[str, Any]:
    """A configuration, resolved or stopped part way, as `databricks bundle validate -o json` prints it."""
    plain = config.plain()
    if not isinstance(plain, dict):
        return {}
    _derived_fields(plain)
    # The CLI prints every mapping with its keys in sorted order, at every depth.
    out = _sorted(plain)
    assert isinstance(out, dict)
    return out


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def _derived_fields(doc: dict[str, Any]) -> None:
    """Fields the CLI reports that no API request takes (so deploy never compares them)."""
    resources = doc.get("resources")
    volumes = resources.get("volumes") if isinstance(resources, dict) else None
    for volume in volumes.values() if isinstance(volumes, dict) else ():
        if not isinstance(volume, dict):
            continue
        parts = [volume.get(k) for k in ("catalog_name", "schema_name", "name")]
        names = [p for p in parts if isinstance(p, str)]
        if len(names) == len(parts):
            volume.setdefault("volume_path", "/Volumes/" + "/".join(names))
