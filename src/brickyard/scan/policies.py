"""The `policies` section of brickyard.yml as plain values, remembered per file content.

`validate` checks the bundle against these policies on every run, and validating brickyard.yml
with its pydantic models costs more than the whole rest of `validate` (importing pydantic and
building every section's model). The file is validated in full, exactly as before, the first time
its content is seen; the validated policies are then kept in `.brickyard/cache/` under the hash of
the file's bytes (and brickyard's version), so an unchanged brickyard.yml is not validated again.
A changed or new file, or a missing or unreadable cache, takes the full path.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brickyard import __version__
from brickyard.settings_file import find_settings_file

if TYPE_CHECKING:
    from brickyard.settings import Settings

CACHE = Path(".brickyard") / "cache" / "policies.json"


@dataclass(frozen=True)
class PolicyRef:
    file: str
    cluster_types: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    targets: tuple[str, ...]
    applies_to: str
    key: str | None
    required: bool
    forbidden: bool
    one_of: list[Any] | None
    pattern: str | None
    level: str


@dataclass(frozen=True)
class Policies:
    root: Path
    cluster_policies: tuple[PolicyRef, ...] = ()
    rules: tuple[Rule, ...] = ()

    @property
    def configured(self) -> bool:
        return bool(self.cluster_policies or self.rules)

    @classmethod
    def of(cls, settings: Settings) -> Policies:
        section = settings.policies
        return cls(
            settings.root,
            tuple(
                PolicyRef(r.file, tuple(r.cluster_types), tuple(r.targets)) for r in section.cluster_policies
            ),
            tuple(Rule(**{**rule.model_dump(), "targets": tuple(rule.targets)}) for rule in section.rules),
        )

    def plain(self) -> dict[str, Any]:
        return {
            "cluster_policies": [asdict(r) for r in self.cluster_policies],
            "rules": [asdict(r) for r in self.rules],
        }

    @classmethod
    def from_plain(cls, root: Path, doc: dict[str, Any]) -> Policies:
        refs = (
            PolicyRef(r["file"], tuple(r["cluster_types"]), tuple(r["targets"]))
            for r in doc["cluster_policies"]
        )
        rules = (Rule(**{**r, "targets": tuple(r["targets"])}) for r in doc["rules"])
        return cls(root, tuple(refs), tuple(rules))


def load_policies(root: Path) -> Policies:
    """The project's policies; a brickyard.yml whose content was validated before is not validated again."""
    path = find_settings_file(root)
    if path is None:
        return Policies(root)
    key = hashlib.sha256(f"{__version__}\0{path.name}\0".encode() + path.read_bytes()).hexdigest()
    cache = root / CACHE
    try:
        doc = json.loads(cache.read_text(encoding="utf-8"))
        if doc.get("key") == key:
            return Policies.from_plain(root, doc["policies"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no cache, or one from another version: validate in full
    from brickyard.settings import load_settings

    policies = Policies.of(load_settings(root))  # raises the located errors of an invalid file
    _remember(cache, {"key": key, "policies": policies.plain()})
    return policies


def _remember(cache: Path, doc: dict[str, Any]) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(doc), encoding="utf-8")
        partial.replace(cache)
    except (OSError, TypeError, ValueError):
        pass  # a read-only checkout, or values JSON cannot hold: validated in full every time
