"""`mode: development | production` and the `presets` they imply.

Development mode keeps each developer's copy apart and harmless: names get a `[dev <user>] `
prefix, schedules and triggers are paused, resources are tagged `dev: <user>`, pipelines run in
development mode, and the deploy lock is off. Production mode enforces the rules `databricks bundle`
enforces, reported as errors with the key at fault.
"""

from __future__ import annotations

import re

from brickyard.bundle.identity import CurrentUser
from brickyard.bundle.node import Node, ensure_map, format_path, map_entries, map_items, set_default
from brickyard.errors import Diagnostic, Severity

DEVELOPMENT = "development"
PRODUCTION = "production"
PAUSED = "PAUSED"


def check_mode(mode: Node | None, diags: list[Diagnostic], path: str) -> str | None:
    if mode is None or mode.value is None:
        return None
    if mode.value not in (DEVELOPMENT, PRODUCTION):
        diags.append(
            Diagnostic(
                Severity.ERROR,
                f"unsupported mode {mode.value!r}: use development or production",
                path,
                mode.loc,
            )
        )
        return None
    return str(mode.value)


def development_presets(root: Node, user: CurrentUser) -> None:
    presets = ensure_map(root, ("presets",))
    set_default(presets, "name_prefix", f"[dev {user.short_name}] ")
    set_default(presets, "pipelines_development", True)
    set_default(presets, "trigger_pause_status", PAUSED)
    set_default(presets, "jobs_max_concurrent_runs", 4)
    tags = set_default(presets, "tags", {})
    if tags.is_map:
        set_default(tags, "dev", user.short_name)
    lock = ensure_map(root, ("bundle", "deployment", "lock"))
    set_default(lock, "enabled", False)


def uc_prefix(prefix: str) -> str:
    """Unity Catalog names cannot hold `[dev jane] `: the prefix becomes `dev_jane_`."""
    cleaned = re.sub(r"[^a-z0-9]+", "_", prefix.lower()).strip("_")
    return f"{cleaned}_" if cleaned else ""


def apply_presets(root: Node) -> None:
    presets = root.get("presets")
    resources = root.get("resources")
    if presets is None or not presets.is_map or resources is None or not resources.is_map:
        return
    prefix = _text(presets.get("name_prefix"))
    tags = presets.get("tags")
    pause = _text(presets.get("trigger_pause_status"))
    max_runs = presets.get("jobs_max_concurrent_runs")
    dev_pipelines = presets.get("pipelines_development")

    for _, job in map_entries(resources, "jobs"):
        _prefix_field(job, "name", prefix)
        if tags is not None and tags.is_map:
            _merge_tags(job, "tags", tags)
            for cluster in _job_clusters(job):
                _merge_tags(cluster, "custom_tags", tags)
        if pause:
            for field in ("schedule", "trigger", "continuous"):
                spec = job.get(field)
                if spec is not None and spec.is_map:
                    set_default(spec, "pause_status", pause)
        if max_runs is not None and max_runs.value is not None:
            set_default(job, "max_concurrent_runs", max_runs.value)
    for _, pipeline in map_entries(resources, "pipelines"):
        _prefix_field(pipeline, "name", prefix)
        if dev_pipelines is not None and dev_pipelines.value is True:
            set_default(pipeline, "development", True)
        if tags is not None and tags.is_map:
            for cluster in map_items(pipeline.get("clusters")):
                _merge_tags(cluster, "custom_tags", tags)
    for _, cluster in map_entries(resources, "clusters"):
        _prefix_field(cluster, "cluster_name", prefix)
        if tags is not None and tags.is_map:
            _merge_tags(cluster, "custom_tags", tags)
    # Volumes and tables live inside a schema, which already carries the prefix.
    for _, schema in map_entries(resources, "schemas"):
        _prefix_field(schema, "name", uc_prefix(prefix))


def check_production(
    root: Node,
    root_path_explicit: bool,
    user: CurrentUser,
    diags: list[Diagnostic],
) -> None:
    resources = root.get("resources")
    for key, pipeline in map_entries(resources, "pipelines"):
        dev = pipeline.get("development")
        if dev is not None and dev.value is True:
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    "target with 'mode: production' cannot include a pipeline with 'development: true'",
                    format_path(("resources", "pipelines", key, "development")),
                    dev.loc,
                )
            )
    if root_path_explicit or user.is_service_principal or _every_job_runs_as(root):
        return
    workspace = root.get("workspace")
    diags.append(
        Diagnostic(
            Severity.ERROR,
            "target with 'mode: production' must set 'workspace.root_path' so that only one copy is "
            "deployed; a common practice is to name a user or service principal in it, e.g. "
            "root_path: /Workspace/Users/<user>/.bundle/${bundle.name}/${bundle.target}",
            "workspace.root_path",
            workspace.loc if workspace is not None else root.loc,
        )
    )


def _every_job_runs_as(root: Node) -> bool:
    run_as = root.get("run_as")
    if run_as is not None and run_as.is_map and run_as.value:
        return True
    jobs = map_entries(root.get("resources"), "jobs")
    return bool(jobs) and all(job.get("run_as") is not None for _, job in jobs)


def _job_clusters(job: Node) -> list[Node]:
    clusters = []
    for entry in map_items(job.get("job_clusters")):
        if (spec := entry.get("new_cluster")) is not None and spec.is_map:
            clusters.append(spec)
    for task in map_items(job.get("tasks")):
        if (spec := task.get("new_cluster")) is not None and spec.is_map:
            clusters.append(spec)
    return clusters


def _prefix_field(resource: Node, field: str, prefix: str) -> None:
    node = resource.get(field)
    if prefix and node is not None and isinstance(node.value, str) and not node.value.startswith(prefix):
        node.value = prefix + node.value


def _merge_tags(resource: Node, field: str, tags: Node) -> None:
    existing = set_default(resource, field, {})
    if existing.is_map:
        for key, value in tags.items():
            if key not in existing.value:
                existing.value[key] = value.copy()


def _text(node: Node | None) -> str:
    return str(node.value) if node is not None and node.value is not None else ""
