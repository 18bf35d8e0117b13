"""What a task runs on: the cluster settings of its existing, job or new cluster, and the libraries
of its serverless environment as cluster libraries."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.home import LocalHome
from brickyard.local.runs.environments import EnvironmentPlan, plan_environment
from brickyard.local.runs.tasks import Attempt
from brickyard.local.store.clusters import ClusterStore


@dataclass(frozen=True)
class ComputeSpec:
    spark_conf: dict[str, Any]
    env: dict[str, str]
    cluster_id: str | None = None
    spark_context_id: int | None = None
    init_scripts: list[Any] = field(default_factory=list)


def compute_spec(attempt: Attempt, clusters: ClusterStore) -> ComputeSpec:
    """The cluster settings a task runs with: its existing cluster, job cluster, or new cluster."""
    task = attempt.task
    if cluster_id := task.get("existing_cluster_id"):
        try:
            cluster = clusters.ensure_running(str(cluster_id))
        except ApiError as err:
            raise ComputeError(err.message, "RESOURCE_NOT_FOUND") from None
        return ComputeSpec(
            cluster.get("spark_conf") or {},
            _env(cluster.get("spark_env_vars")),
            cluster["cluster_id"],
            cluster.get("spark_context_id"),
            list(cluster.get("init_scripts") or []),
        )
    return new_cluster_spec(task, attempt.run.settings)


def new_cluster_spec(task: dict[str, Any], settings: dict[str, Any]) -> ComputeSpec:
    """The cluster settings of a task on a new cluster or a job cluster of the job's `settings`."""
    spec: dict[str, Any] = task.get("new_cluster") or {}
    if key := task.get("job_cluster_key"):
        defined = {c.get("job_cluster_key"): c for c in settings.get("job_clusters") or []}
        if key not in defined:
            raise ComputeError(f"job cluster {key} is not defined in the job", "INVALID_RUN_CONFIGURATION")
        spec = defined[key].get("new_cluster") or {}
    return ComputeSpec(
        spec.get("spark_conf") or {},
        _env(spec.get("spark_env_vars")),
        init_scripts=list(spec.get("init_scripts") or []),
    )


def with_environment_libraries(task: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """A serverless task's environment (`environment_key`) as the `libraries` a worker installs:
    wheel paths as wheels, a project file (`project_environment`) as its dependencies, everything
    else as PyPI requirements."""
    key = task.get("environment_key")
    environments = {
        e.get("environment_key"): e for e in settings.get("environments") or [] if isinstance(e, dict)
    }
    if not key or key not in environments:
        return task
    libraries = list(task.get("libraries") or [])
    spec = environments[key].get("spec") or {}
    if project := spec.get("project_environment"):  # a pyproject.toml: its dependencies
        libraries.append({"pyproject": _bundle_path(str(project), settings)})
    for dependency in spec.get("dependencies") or []:
        text = str(dependency).strip()
        if text.startswith(("-r ", "--requirement ", "--requirement=")):
            path = text.split("=", 1)[1] if "=" in text.split()[0] else text.split(None, 1)[1]
            libraries.append({"requirements": _bundle_path(path.strip(), settings)})
        elif text.endswith(".whl"):
            libraries.append({"whl": _bundle_path(text, settings)})
        else:
            libraries.append({"pypi": {"package": text}})
    return {**task, "libraries": libraries}


def _bundle_path(path: str, settings: dict[str, Any]) -> str:
    """A relative path in an environment's dependencies, as a workspace path: relative to the
    deployed bundle's files (`<root>/files`, next to the state folder its metadata file is in)."""
    if path.startswith(("/", "dbfs:")):
        return path
    metadata = str((settings.get("deployment") or {}).get("metadata_file_path") or "")
    if not metadata.startswith("/"):
        return path
    files = posixpath.join(posixpath.dirname(posixpath.dirname(metadata)), "files")
    return posixpath.normpath(posixpath.join(files, path.removeprefix("../")))


class ComputeError(Exception):
    """The task cannot have the compute it names (a missing cluster or job cluster)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def _env(values: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in (values or {}).items()}


def environment_plan(
    task: dict[str, Any], settings: dict[str, Any], spec: ComputeSpec, home: LocalHome
) -> EnvironmentPlan | None:
    """The cluster environment a task on `spec` needs (`runs.environments`), its serverless
    environment's libraries included; None when the local runtime is all it asks for."""
    return plan_environment(
        with_environment_libraries(task, settings),
        spec.init_scripts,
        spec.env,
        home.workspace_root,
        home.storage_root,
    )


def environments_cache(home: LocalHome) -> Path:
    """Where built cluster environments are kept, one per set of requirements."""
    return home.root / "cache" / "environments"
