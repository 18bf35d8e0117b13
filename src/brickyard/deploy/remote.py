"""A deployed resource's settings as the workspace holds them, in the shape brickyard sent them.

Each kind answers `get` in its own envelope: a job's settings sit under `settings` (and API 2.2
pages its tasks, job clusters, parameters and environments by 100), a pipeline's under `spec`, a
cluster's under `spec` on recent workspaces (beside status fields), a Unity Catalog object at the
top level. Drift and the job definition store both need the bare settings.
"""

from __future__ import annotations

from typing import Any

from brickyard.deploy.kinds import Kind

_JOB_PAGED = ("tasks", "job_clusters", "parameters", "environments")
_CLUSTER_STATUS = frozenset(
    {
        "cluster_id",
        "state",
        "state_message",
        "start_time",
        "terminated_time",
        "last_restarted_time",
        "last_state_loss_time",
        "last_activity_time",
        "termination_reason",
        "creator_user_name",
        "cluster_source",
        "default_tags",
        "spark_context_id",
        "driver",
        "executors",
        "cluster_memory_mb",
        "cluster_cores",
        "jdbc_port",
        "spec",
        "effective_spark_version",
    }
)


def remote_settings(kind: Kind, resource_id: str) -> dict[str, Any]:
    """The settings of one resource; raises the SDK's NotFound when it is gone."""
    doc = kind.get(resource_id)
    if kind.kind == "jobs":
        return _job_settings(kind, resource_id, doc)
    if kind.kind == "pipelines":
        return dict(doc.get("spec") or {})
    if kind.kind == "clusters":
        spec = doc.get("spec")
        if isinstance(spec, dict) and spec:
            return dict(spec)
        return {k: v for k, v in doc.items() if k not in _CLUSTER_STATUS}
    return doc


def _job_settings(kind: Kind, job_id: str, doc: dict[str, Any]) -> dict[str, Any]:
    settings = dict(doc.get("settings") or {})
    token = doc.get("next_page_token")
    while token:
        page = kind.client.api_client.do(
            "GET", "/api/2.2/jobs/get", query={"job_id": job_id, "page_token": token}
        )
        more = page.get("settings") or {}
        for key in _JOB_PAGED:
            if more.get(key):
                settings[key] = [*(settings.get(key) or []), *more[key]]
        token = page.get("next_page_token")
    return settings


def name_filter(name: str) -> str:
    """The pipelines list filter for one exact name: quotes doubled; `%` and `_` still match more,
    so callers compare names themselves."""
    return "name LIKE '" + name.replace("'", "''") + "'"
