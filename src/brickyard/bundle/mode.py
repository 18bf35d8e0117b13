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


def development_presets(root: Node, user: CurrentUser, diags: list[Diagnostic]) -> None:
    presets = ensure_map(root, ("presets",))
    custom = presets.get("name_prefix")
    if custom is not None and isinstance(custom.value, str) and custom.value:
        text = custom.value
        if not any(
            mark in text
            for mark in (
                user.short_name,
                user.user_name,
                "${workspace.current_user.short_name}",
                "${workspace.current_user.userName}",
            )
        ):
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    "prefix should contain the current username or ${workspace.current_user.short_name} "
                    "to ensure uniqueness when using 'mode: development'",
                    "presets.name_prefix",
                    custom.loc,
                )
            )
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
    """Unity Catalog names cannot hold `[dev jane] `: brackets go, other separators become `_`, and
    a `_` is added only after a prefix that ended in `]` (`[dev jane] ` → `dev_jane_`, `dev_` stays)."""
    trimmed = prefix.strip(" ")
    suffix = "_" if trimmed.endswith("]") else ""
    core = re.sub(r"[^A-Za-z0-9_]", "_", trimmed.replace("[", "").replace("]", ""))
    return core + suffix if core else ""


# Resource kinds that take the name prefix: (kind, field, how the prefix is written).
_RAW, _UC, _LEAF = "raw", "uc", "leaf"
_PREFIXED: tuple[tuple[str, str, str], ...] = (
    ("jobs", "name", _RAW),
    ("pipelines", "name", _RAW),
    ("clusters", "cluster_name", _RAW),
    ("models", "name", _RAW),
    ("registered_models", "name", _RAW),
    ("experiments", "name", _LEAF),
    ("model_serving_endpoints", "name", _UC),
    ("schemas", "name", _UC),
    ("dashboards", "display_name", _RAW),
)


def apply_presets(root: Node) -> None:
    presets = root.get("presets")
    resources = root.get("resources")
    if presets is None or not presets.is_map or resources is None or not resources.is_map:
        return
    prefix = _text(presets.get("name_prefix"))
    tags = presets.get("tags")
    tags = tags if tags is not None and tags.is_map and tags.value else None
    pause = _text(presets.get("trigger_pause_status"))
    max_runs = presets.get("jobs_max_concurrent_runs")
    dev_pipelines = presets.get("pipelines_development")

    if prefix:
        for kind, field, style in _PREFIXED:
            for _, resource in map_entries(resources, kind):
                _prefix_field(resource, field, prefix, style)
    for _, job in map_entries(resources, "jobs"):
        if tags is not None:
            _merge_tags(job, "tags", tags)
        if pause:
            for field in ("schedule", "trigger", "continuous"):
                spec = job.get(field)
                if spec is not None and spec.is_map:
                    set_default(spec, "pause_status", pause)
        runs = job.get("max_concurrent_runs")
        if max_runs is not None and max_runs.value and (runs is None or not runs.value):
            job.value["max_concurrent_runs"] = max_runs.copy()
    for _, pipeline in map_entries(resources, "pipelines"):
        if dev_pipelines is not None and dev_pipelines.value is True:
            pipeline.value["development"] = Node(True, dev_pipelines.loc)
        if pause == PAUSED:
            pipeline.value.pop("continuous", None)
    for _, cluster in map_entries(resources, "clusters"):
        if tags is not None:
            _merge_tags(cluster, "custom_tags", tags)
    if tags is not None:
        for kind in ("models", "experiments"):
            for _, resource in map_entries(resources, kind):
                _append_tags(resource, tags)
    if pause == PAUSED:
        for _, monitor in map_entries(resources, "quality_monitors"):
            schedule = monitor.get("schedule")
            if schedule is not None and schedule.is_map:
                schedule.value["pause_status"] = Node(PAUSED, schedule.loc)


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
    if root_path_explicit:
        return
    if user.is_service_principal or _every_job_runs_as(root):
        from brickyard.bundle.mode_rules import production_root_recommendation

        production_root_recommendation(root, user, diags)
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


def _prefix_field(resource: Node, field: str, prefix: str, style: str) -> None:
    node = resource.get(field)
    if node is None or not isinstance(node.value, str):
        return
    if style == _UC:
        node.value = uc_prefix(prefix) + node.value
    elif style == _LEAF:  # experiments are workspace paths: the prefix goes on the last part
        head, sep, leaf = node.value.rpartition("/")
        node.value = f"{head}{sep}{prefix}{leaf}"
    else:
        node.value = prefix + node.value


def _merge_tags(resource: Node, field: str, tags: Node) -> None:
    existing = set_default(resource, field, {})
    if existing.is_map:
        for key, value in tags.items():
            if key not in existing.value:
                existing.value[key] = value.copy()


def _append_tags(resource: Node, tags: Node) -> None:
    """Models and experiments hold tags as a list of `{key, value}`."""
    existing = set_default(resource, "tags", [])
    if not existing.is_seq:
        return
    present = {str(k.value) for t in map_items(existing) if (k := t.get("key")) is not None}
    for key, value in tags.items():
        if key not in present:
            existing.value.append(Node({"key": Node(key, value.loc), "value": value.copy()}, value.loc))


def _text(node: Node | None) -> str:
    return str(node.value) if node is not None and node.value is not None else ""
