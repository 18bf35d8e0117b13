"""Local library files in a job's settings: uploaded as content-addressed artifacts.

Wheels built by `artifacts:` and checked-in jars named by a task's `libraries` or a serverless
environment's `dependencies` become uploads under the artifact path, and the settings point at the
upload, so a changed wheel is a new path (clusters never run a stale cached copy) and every version
stays available for rollback.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Any

from brickyard.resources.base import Prepare

_LIBRARY_KEYS = ("whl", "jar", "requirements")


def artifact_remote(artifact_path: str, digest: str, filename: str) -> str:
    return f"{artifact_path}/.internal/{digest[:16]}/{filename}"


def rewrite_libraries(job: dict[str, Any], context: Prepare) -> dict[str, Any]:
    """Point local library paths at their uploads; register the uploads in `context.uploads`."""
    from brickyard.plan.desired import ArtifactSource
    from brickyard.plan.files import file_hash

    root, artifact_path, uploads, warnings = (
        context.root,
        context.artifact_path,
        context.uploads,
        context.warnings,
    )

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
