"""What a target should look like after a deploy: resources, files and artifacts.

A deploy builds it from the bundle in the checkout; a rollback or a promotion builds it from a
recorded release. The plan builder does not care which. From a bundle, local library files
(wheels built by `artifacts:`, checked-in jars) become content-addressed uploads under the
artifact path, and the libraries that name them point at the upload, so a changed wheel is a new
path (clusters never run a stale cached copy) and every version stays available for rollback.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from brickyard.bundle.model import DEPLOYABLE_KINDS, Bundle
from brickyard.plan.files import LocalFile, file_hash

_LIBRARY_KEYS = ("whl", "jar", "requirements")


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


def desired_from_bundle(bundle: Bundle, files: list[LocalFile]) -> Desired:
    workspace = bundle.workspace
    artifact_path = str(workspace["artifact_path"])
    warnings: list[str] = []
    uploads: dict[str, ArtifactSource] = {}
    resources: dict[str, dict[str, Any]] = {}
    for kind in DEPLOYABLE_KINDS:
        for key, config in bundle.resources(kind).items():
            if kind == "jobs":
                config = _rewrite_libraries(bundle.root, config, artifact_path, uploads, warnings)
            resources[f"{kind}.{key}"] = config
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


def artifact_remote(artifact_path: str, digest: str, filename: str) -> str:
    return f"{artifact_path}/.internal/{digest[:16]}/{filename}"


def _rewrite_libraries(
    root: Path,
    job: dict[str, Any],
    artifact_path: str,
    uploads: dict[str, ArtifactSource],
    warnings: list[str],
) -> dict[str, Any]:
    """Point local library paths at their uploads; register the uploads."""

    def upload(pattern: str) -> list[str]:
        matches = sorted(Path(p) for p in glob.glob(str(root / pattern)) if Path(p).is_file())
        if not matches:
            warnings.append(f"library {pattern} matches no file yet; build it before deploying")
            return [pattern]
        remotes = []
        for path in matches:
            digest = file_hash(path)
            remote = artifact_remote(artifact_path, digest, path.name)
            # relative to the root, `../dist/x.whl` included: libraries outside it are uploaded too
            relative = Path(os.path.relpath(path, root)).as_posix()
            uploads[remote] = ArtifactSource(relative, path, remote, digest)
            remotes.append(remote)
        return remotes

    def libraries(entries: list[Any]) -> list[Any]:
        out: list[Any] = []
        for entry in entries:
            key = next((k for k in _LIBRARY_KEYS if isinstance(entry, dict) and k in entry), None)
            if key is None or not _is_local(str(entry[key])):
                out.append(entry)
                continue
            out.extend({**entry, key: remote} for remote in upload(str(entry[key])))
        return out

    def task(t: dict[str, Any]) -> dict[str, Any]:
        t = dict(t)
        if isinstance(t.get("libraries"), list):
            t["libraries"] = libraries(t["libraries"])
        nested = t.get("for_each_task", {}).get("task") if isinstance(t.get("for_each_task"), dict) else None
        if isinstance(nested, dict):
            t["for_each_task"] = {**t["for_each_task"], "task": task(nested)}
        return t

    job = dict(job)
    if isinstance(job.get("tasks"), list):
        job["tasks"] = [task(t) if isinstance(t, dict) else t for t in job["tasks"]]
    if isinstance(job.get("environments"), list):
        envs = []
        for env in job["environments"]:
            spec = env.get("spec") if isinstance(env, dict) else None
            deps = spec.get("dependencies") if isinstance(spec, dict) else None
            if isinstance(spec, dict) and isinstance(deps, list):
                new_deps = [
                    r for d in deps for r in (upload(d) if isinstance(d, str) and _is_path(d) else [d])
                ]
                env = {**env, "spec": {**spec, "dependencies": new_deps}}
            envs.append(env)
        job["environments"] = envs
    return job


def _is_local(value: str) -> bool:
    return bool(value) and not value.startswith("/") and ":" not in value.split("/")[0] and "${" not in value


def _is_path(value: str) -> bool:
    if value.startswith("-"):  # `-r <file>`, already a workspace path
        return False
    return _is_local(value) and (value.endswith((".whl", ".jar", ".txt")) or value.startswith(("./", "../")))
