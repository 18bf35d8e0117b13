"""The backup job a deploy adds to the target (brickyard.yml `dr`: tables, location, schedule,
retention), so that backups run on the workspace on their schedule instead of from a laptop.

The job has one `spark_python_task` running `dr/job_task.py`, which deploy uploads beside the
bundle's files (`.brickyard/backup_job.py`), on serverless compute. It is a resource of the
deployment like any other: planned, recorded in releases, paused in development mode, deleted
when `dr` no longer asks for it. The task imports brickyard's own backup code: the local workspace
has it; on a real workspace the job's environment installs `dr.job_dependencies`, or else a wheel
of the brickyard that deploys it (`dr.job_wheel`), uploaded as an artifact like the bundle's own.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from brickyard.bundle.model import Bundle
from brickyard.errors import RecoveryError
from brickyard.plan.desired import ArtifactSource, Desired
from brickyard.plan.files import LocalFile
from brickyard.settings import RecoverySettings

JOB_KEY = "brickyard_backup"
ADDRESS = f"jobs.{JOB_KEY}"
TASK_FILE = ".brickyard/backup_job.py"


def wants_job(settings: RecoverySettings) -> bool:
    return settings.job if settings.job is not None else bool(settings.schedule)


def with_backup_job(
    desired: Desired, bundle: Bundle, settings: RecoverySettings, local: bool = True
) -> Desired:
    """`desired` with the backup job and its task file, when the project declares one. On a real
    workspace (`local` false) the job also installs brickyard, from `dr.job_dependencies` or a wheel
    of the brickyard deploying it."""
    if not wants_job(settings):
        return desired
    if ADDRESS in desired.resources:
        raise RecoveryError(f"the bundle defines {ADDRESS}, the key of brickyard's backup job: rename it")
    location = settings.location_for(bundle.target)
    if not location:
        raise RecoveryError(
            f"dr declares a backup job, but no backup location for target {bundle.target}: "
            "set dr.location (or dr.targets) in brickyard.yml"
        )
    source = Path(__file__).with_name("job_task.py")
    task_file = LocalFile(TASK_FILE, source, hashlib.sha256(source.read_bytes()).hexdigest(), None)
    dependencies, artifacts = list(settings.job_dependencies), desired.artifacts
    if not local and not dependencies:
        wheel = _own_wheel(bundle.root, desired.artifact_path)
        dependencies, artifacts = [wheel.remote], (*(a for a in artifacts if a.remote != wheel.remote), wheel)
    job = _job(desired, bundle, settings, _absolute(location, bundle.root), dependencies)
    files = (*(f for f in desired.files if f.relative != TASK_FILE), task_file)
    return replace(
        desired, resources={**desired.resources, ADDRESS: job}, files=files, artifacts=tuple(artifacts)
    )


def _own_wheel(root: Path, artifact_path: str) -> ArtifactSource:
    from brickyard.dr.job_wheel import build_wheel
    from brickyard.plan.files import file_hash
    from brickyard.resources.libraries import artifact_remote

    path = build_wheel(root / ".brickyard" / "dr")
    digest = file_hash(path)
    return ArtifactSource(
        f".brickyard/dr/{path.name}", path, artifact_remote(artifact_path, digest, path.name), digest
    )


def _job(
    desired: Desired, bundle: Bundle, settings: RecoverySettings, location: str, dependencies: list[str]
) -> dict[str, Any]:
    parameters = ["--bundle", bundle.name, "--target", bundle.target, "--location", location]
    for pattern in settings.tables:
        parameters += ["--tables", pattern]
    if settings.retention.keep is not None:
        parameters += ["--keep", str(settings.retention.keep)]
    if settings.retention.days is not None:
        parameters += ["--days", str(settings.retention.days)]
    task: dict[str, Any] = {
        "task_key": "backup",
        "spark_python_task": {"python_file": f"{desired.file_path}/{TASK_FILE}", "parameters": parameters},
    }
    presets = bundle.get("presets") or {}
    job: dict[str, Any] = {
        "name": f"{presets.get('name_prefix') or ''}{bundle.name} backup",
        "description": "Backs up the tables brickyard.yml `dr` declares, then applies its retention.",
        "tasks": [task],
        "max_concurrent_runs": 1,
        "edit_mode": "UI_LOCKED",
        "format": "MULTI_TASK",
        "queue": {"enabled": True},
        "tags": {**(presets.get("tags") or {}), "brickyard": "backup"},
        "deployment": {
            "kind": "BUNDLE",
            "metadata_file_path": f"{bundle.workspace['state_path']}/metadata.json",
        },
    }
    if dependencies:
        task["environment_key"] = "backup"
        job["environments"] = [
            {
                "environment_key": "backup",
                "spec": {"client": "2", "dependencies": dependencies},
            }
        ]
    if settings.schedule:
        job["schedule"] = {
            "quartz_cron_expression": settings.schedule,
            "timezone_id": settings.timezone,
            "pause_status": presets.get("trigger_pause_status") or "UNPAUSED",
        }
    return job


def _absolute(location: str, root: Path) -> str:
    """A folder location relative to the project is made absolute: the task does not run there."""
    if location.startswith("/") or "://" in location or location.startswith("dbfs:"):
        return location
    return str((root / location).resolve())
