"""The job definition store: deployed jobs as JSON files kept in git, and putting them back.

Jobs get edited or deleted in the UI. `export` writes each deployed job's settings, as the
workspace holds them, to `<dir>/<target>/<key>.json` (one directory per target, so a dev export
never overwrites the prod definitions), with sorted keys and a fixed indent so that git shows only
real changes. The job's id is a field beside the settings, never inside them.

`restore` puts a definition back: a job deleted in the UI is created again and its new id recorded
in the deployment state (so later deploys update it and destroy deletes it, instead of creating
a second one); a job edited by hand is reset to its file. It writes the state under the deploy lock,
as a deploy does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from brickyard.context import AppContext
from brickyard.deploy.target import Target, open_target
from brickyard.errors import ApplyError, ReleaseError, UsageError
from brickyard.plan.compare import compare
from brickyard.plan.resources import split_settings
from brickyard.resources.jobs import Jobs
from brickyard.state.model import DeploymentState, ResourceState
from brickyard.state.redact import redact

DEFAULT_DIR = Path("config/jobs")


@dataclass(frozen=True)
class StoreOptions:
    target: str | None = None
    variables: Sequence[str] = ()
    profile: str | None = None
    directory: Path | None = None
    """Relative to the working directory; default: config/jobs under the bundle root."""
    keys: Sequence[str] = ()
    force_lock: bool = False


@dataclass(frozen=True)
class Restored:
    key: str
    action: Literal["created", "reset", "unchanged"]
    job_id: str
    previous_id: str = ""

    def as_json(self) -> dict[str, Any]:
        doc = {"key": self.key, "action": self.action, "job_id": self.job_id}
        if self.previous_id:
            doc["previous_job_id"] = self.previous_id
        return doc


def store_directory(ctx: AppContext, target: Target, directory: Path | None) -> Path:
    base = ctx.cwd / directory if directory is not None else target.bundle.root / DEFAULT_DIR
    return base / target.bundle.target


def export_jobs(ctx: AppContext, options: StoreOptions) -> list[Path]:
    from databricks.sdk.errors import NotFound

    target = open_target(ctx, options.target, options.variables, options.profile)
    state = target.read_state(ctx)
    jobs = _chosen([r for r in state.resources.values() if r.kind == Jobs.name], options.keys, target)
    directory = store_directory(ctx, target, options.directory)
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for resource in jobs:
        try:
            settings = target.kinds["jobs"].settings(resource.id)
        except NotFound:
            ctx.output.warn(
                f"jobs.{resource.key} (job {resource.id}) is gone from the workspace: not exported; a stored "
                f"definition of it is left as it was (`brickyard jobs restore` puts it back)"
            )
            continue
        doc = {
            "bundle": target.bundle.name,
            "target": target.bundle.target,
            "key": resource.key,
            "job_id": resource.id,
            "settings": redact(settings),
        }
        path = directory / f"{resource.key}.json"
        text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    ctx.output.result(
        {"directory": str(directory), "jobs": [p.stem for p in written]},
        f"Exported {len(written)} job definition(s) of {target.bundle.target} to {directory}",
    )
    return written


def restore_jobs(ctx: AppContext, options: StoreOptions) -> list[Restored]:
    target = open_target(ctx, options.target, options.variables, options.profile)
    directory = store_directory(ctx, target, options.directory)
    files = {p.stem: p for p in sorted(directory.glob("*.json"))}
    if not files:
        raise ReleaseError(
            f"no job definitions in {directory}: run `brickyard jobs export -t {target.bundle.target}` first"
        )
    unknown = [k for k in options.keys if k not in files]
    if unknown:
        raise UsageError(
            f"--key {', '.join(unknown)}: no definition in {directory} (it has: {', '.join(files)})"
        )
    stored = {key: _read(files[key], target) for key in (options.keys or sorted(files))}
    with target.locked(options.force_lock):
        state = target.read_state(ctx)  # read under the lock: nobody deploys in between
        missing = [k for k in stored if state.resource("jobs", k) is None]
        if missing:
            raise ReleaseError(
                f"{', '.join('jobs.' + k for k in missing)} not deployed to {target.bundle.target}: restore puts "
                "back only jobs brickyard deployed; deploy the bundle instead"
            )
        results = []
        serial = state.serial + 1
        for key, settings in stored.items():
            result = _restore(ctx, target, state, key, settings)
            results.append(result)
            if result.action != "unchanged":
                # Recorded at once, so a job re-created here is never created a second time.
                state.serial = serial
                target.store.write(state, remote=False)
        if any(r.action != "unchanged" for r in results):
            target.store.write(state)
    ctx.output.result(
        {"target": target.bundle.target, "jobs": [r.as_json() for r in results]},
        "\n".join(_describe(r) for r in results),
    )
    return results


def _restore(
    ctx: AppContext, target: Target, state: DeploymentState, key: str, stored: dict[str, Any]
) -> Restored:
    from databricks.sdk.errors import NotFound

    kind = target.kinds["jobs"]
    resource = state.resources[f"jobs.{key}"]
    deployed, extras = split_settings(resource.config)
    try:
        actual: dict[str, Any] | None = kind.settings(resource.id)
    except NotFound:
        actual = None
    if actual is not None and not compare(type(kind), stored, redact(actual)):
        return Restored(key, "unchanged", resource.id)
    try:
        if actual is None:
            new_id = kind.create(stored)
            if extras.get("permissions"):
                kind.set_permissions(new_id, extras["permissions"])
        else:
            new_id = kind.update(resource.id, stored)
    except Exception as err:
        raise ApplyError(f"jobs.{key}", "restore", err) from err
    differs = compare(type(kind), deployed, stored, frozenset({state.deployed_by}))
    config = resource.config
    if differs:
        # The workspace now holds the file's version, not the last deploy's: say so in the state,
        # so that the next deploy sees the difference and applies the bundle again.
        config = {**redact(stored), **extras}
        ctx.output.warn(
            f"jobs.{key}: the stored definition differs from the last deploy ({', '.join(f.path for f in differs[:5])}); "
            f"`brickyard deploy -t {target.bundle.target}` will apply the bundle's version"
        )
    update: dict[str, Any] = {"id": new_id, "config": config}
    if differs:
        update["desired_hash"] = ""  # the state no longer holds what the bundle's fingerprint stands for
    state.resources[resource.address] = resource.model_copy(update=update)
    if actual is not None:
        return Restored(key, "reset", new_id)
    for other in _referencing(state, resource.id, resource.address):
        ctx.output.warn(
            f"{other} refers to jobs.{key} by its old id {resource.id}; deploy to point it at {new_id}"
        )
    return Restored(key, "created", new_id, resource.id)


def _read(path: Path, target: Target) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ReleaseError(f"{path} is not a readable job definition: {err}") from None
    settings = doc.get("settings") if isinstance(doc, dict) else None
    if not isinstance(settings, dict):
        raise ReleaseError(f"{path} has no `settings` object: it was not written by `brickyard jobs export`")
    if doc.get("target") not in (None, target.bundle.target):
        raise ReleaseError(f"{path} holds a job of target {doc['target']}, not {target.bundle.target}")
    redacted = _redacted(settings, "")
    if redacted:
        raise ReleaseError(
            f"{path} holds credentials that were never written to it ({', '.join(redacted[:3])}); keep them in "
            "a secret scope ({{secrets/<scope>/<key>}}) to make the job restorable, or deploy instead"
        )
    return settings


def _redacted(value: Any, path: str) -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _redacted(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _redacted(v, f"{path}[{i}]")]
    return [path] if isinstance(value, str) and value.startswith("[REDACTED") else []


def _chosen(jobs: list[ResourceState], keys: Sequence[str], target: Target) -> list[ResourceState]:
    if not jobs:
        raise ReleaseError(f"no jobs are deployed to {target.bundle.target}: deploy the bundle first")
    known = {r.key: r for r in jobs}
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise UsageError(
            f"--key {', '.join(unknown)}: no such deployed job (deployed: {', '.join(sorted(known))})"
        )
    return [known[k] for k in sorted(keys or known)]


def _referencing(state: DeploymentState, old_id: str, address: str) -> list[str]:
    def mentions(value: Any) -> bool:
        if isinstance(value, dict):
            return any((k == "job_id" and str(v) == old_id) or mentions(v) for k, v in value.items())
        return isinstance(value, list) and any(mentions(v) for v in value)

    return sorted(a for a, r in state.resources.items() if a != address and mentions(r.config))


def _describe(result: Restored) -> str:
    if result.action == "created":
        return f"jobs.{result.key}: created again as job {result.job_id} (was {result.previous_id})"
    if result.action == "reset":
        return f"jobs.{result.key}: reset job {result.job_id} to its stored definition"
    return f"jobs.{result.key}: job {result.job_id} already matches its stored definition"
