"""What a target should look like after a deploy: resources, files and artifacts.

A deploy builds it from the bundle in the checkout; a rollback or a promotion builds it from a
recorded release. The plan builder does not care which. From a bundle, each kind of the registry
prepares its settings (`Kind.prepare`): a job's local library files become content-addressed
uploads under the artifact path, for one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from brickyard.bundle.model import Bundle
from brickyard.plan.files import LocalFile
from brickyard.resources import Registry
from brickyard.resources.base import Prepare


@dataclass(frozen=True)
class ArtifactSource:
    name: str
    """What the bundle called it: the library path relative to the bundle root, e.g. dist/x.whl."""
    local: Path | None
    """None when the artifact is already in the workspace (a release deployed again)."""
    remote: str
    hash: str


@dataclass(frozen=True)
class Desired:
    bundle: str
    target: str
    host: str
    root_path: str
    file_path: str
    artifact_path: str
    resources: Mapping[str, dict[str, Any]]
    """Address (`jobs.etl`) → settings as the bundle resolved them, references unfilled."""
    files: tuple[LocalFile, ...] = ()
    artifacts: tuple[ArtifactSource, ...] = ()
    warnings: tuple[str, ...] = field(default=())


def desired_from_bundle(bundle: Bundle, files: list[LocalFile], registry: Registry) -> Desired:
    workspace = bundle.workspace
    artifact_path = str(workspace["artifact_path"])
    warnings: list[str] = []
    uploads: dict[str, ArtifactSource] = {}
    resources: dict[str, dict[str, Any]] = {}
    context = Prepare(
        bundle.root,
        artifact_path,
        uploads,
        warnings,
        str(workspace["file_path"]),
        locate=_locator(bundle),
    )
    for kind in registry:
        for key, config in bundle.resources(kind.name).items():
            where = ("resources", kind.name, key)
            resources[f"{kind.name}.{key}"] = kind.prepare(config, replace(context, where=where))
    desired = Desired(
        bundle=bundle.name,
        target=bundle.target,
        host=bundle.host or "local",
        root_path=str(workspace["root_path"]),
        file_path=str(workspace["file_path"]),
        artifact_path=artifact_path,
        resources=resources,
        files=tuple(files),
        artifacts=tuple(uploads[k] for k in sorted(uploads)),
    )
    desired, skipped = with_init_scripts(desired)
    warnings += [
        f"{path}: no init script fits this cluster's runtime; it is not pinned to the lock"
        for path in skipped
    ]
    return replace(desired, warnings=tuple(warnings))


def _locator(bundle: Bundle) -> Callable[[tuple[str, ...]], str | None]:
    def locate(path: tuple[str, ...]) -> str | None:
        found = bundle.location(path)
        return found.file if found is not None else None

    return locate


def with_init_scripts(desired: Desired) -> tuple[Desired, list[str]]:
    """Every cluster runs the lock's init script first, when the bundle ships one (`deps init-script`)."""
    import re

    from brickyard.deps.initscript import wire_init_scripts

    variants = sorted(
        (m.group(1) or "")
        for f in desired.files
        if (m := re.fullmatch(r"init/enforce-requirements(-ml|-gpu)?\.sh", f.relative))
    )
    if not variants:
        return desired, []
    nested: dict[str, dict[str, Any]] = {}
    for address, settings in desired.resources.items():
        kind, key = address.split(".", 1)
        nested.setdefault(kind, {})[key] = settings
    wired, skipped = wire_init_scripts({"resources": nested}, desired.file_path, variants)
    resources = {
        f"{kind}.{key}": settings
        for kind, group in wired["resources"].items()
        for key, settings in group.items()
    }
    return replace(desired, resources=resources), skipped
