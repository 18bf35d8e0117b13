"""Init scripts kept in the project: uploaded before the clusters that run them.

A cluster (all-purpose, a job's, a pipeline's) names an init script by where it lives on the
workspace. When that is a local file of the project instead:

- `workspace.destination: ./init/setup.sh` is a synced file: the setting points at its synced copy,
  and the files stage runs before any cluster;
- `volumes.destination: ./init/setup.sh` is uploaded under the target's `workspace.artifact_path`,
  which must then be a volume (`/Volumes/<catalog>/<schema>/<volume>/…`), as the CLI puts
  libraries there;
- `dbfs.destination: ./init/setup.sh` is uploaded to `dbfs:/FileStore/brickyard/init_scripts/`.

Volume and DBFS uploads are content-addressed artifacts (`<digest>/<name>`), so a changed script is
a new path, a cluster never starts with a half-written one, and every release keeps its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from brickyard.bundle.node import format_path
from brickyard.errors import PlanError
from brickyard.resources.base import Prepare

DBFS_BASE = "dbfs:/FileStore/brickyard/init_scripts"
_STORES = ("workspace", "volumes", "dbfs")


def rewrite_init_scripts(settings: dict[str, Any], context: Prepare) -> dict[str, Any]:
    """`settings` with every init script that is a project file pointing at its upload."""
    return dict(_walk(settings, (), context))


def _walk(value: Any, path: tuple[str | int, ...], context: Prepare) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "init_scripts" and isinstance(item, list):
                out[key] = [_script(entry, (*path, key, i), context) for i, entry in enumerate(item)]
            else:
                out[key] = _walk(item, (*path, key), context)
        return out
    if isinstance(value, list):
        return [_walk(item, (*path, i), context) for i, item in enumerate(value)]
    return value


def _script(entry: Any, path: tuple[str | int, ...], context: Prepare) -> Any:
    if not isinstance(entry, dict):
        return entry
    for store in _STORES:
        spec = entry.get(store)
        destination = spec.get("destination") if isinstance(spec, dict) else None
        if isinstance(spec, dict) and isinstance(destination, str) and _is_local(destination):
            remote = _upload(store, destination, (*path, store, "destination"), context)
            return {**entry, store: {**spec, "destination": remote}}
    return entry


def _upload(store: str, destination: str, path: tuple[str | int, ...], context: Prepare) -> str:
    from brickyard.plan.desired import ArtifactSource
    from brickyard.plan.files import file_hash

    written = context.locate(tuple(str(p) for p in (*context.where, *path)))
    base = (context.root / written).parent if written else context.root
    local = Path(os.path.normpath(base / destination))
    where = format_path((*context.where, *path))
    if not local.is_file():
        raise PlanError(f"{where}: init script {destination} is not a file of the project")
    if store == "workspace":  # synced with the bundle's files, which are uploaded before clusters
        relative = os.path.relpath(local, context.root).replace(os.sep, "/")
        return f"{context.file_path}/{relative}"
    if store == "volumes":
        if not context.artifact_path.startswith("/Volumes/"):
            raise PlanError(
                f"{where}: a volumes init script from the project ({destination}) is uploaded under "
                f"workspace.artifact_path, which is {context.artifact_path}, not a volume; set "
                "artifact_path to /Volumes/<catalog>/<schema>/<volume>/… or use workspace.destination"
            )
        prefix = f"{context.artifact_path}/.internal/init_scripts"
    else:
        prefix = DBFS_BASE
    digest = file_hash(local)
    remote = f"{prefix}/{digest[:16]}/{local.name}"
    relative = Path(os.path.relpath(local, context.root)).as_posix()
    context.uploads[remote] = ArtifactSource(relative, local, remote, digest)
    return remote


def _is_local(value: str) -> bool:
    return bool(value) and not value.startswith("/") and ":" not in value.split("/")[0] and "${" not in value
