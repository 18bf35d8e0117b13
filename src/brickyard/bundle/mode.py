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
                f"unsupported value '{mode.value}' specified for 'mode': must be either 'development' or 'production'",
                path,
                mode.loc,
            )
        )
        return None
    return str(mode.value)


def development_presets(root: Node, user: CurrentUser) -> None:
    """What development mode presets, where the target leaves a preset out (an empty prefix or pause
    status, or no concurrency limit, counts as left out)."""
    presets = ensure_map(root, ("presets",))
    for key, empty, value in (
        ("name_prefix", "", f"[dev {user.short_name}] "),
        ("trigger_pause_status", "", PAUSED),
        ("jobs_max_concurrent_runs", 0, 4),
    ):
        given = presets.get(key)
        if given is not None and given.value == empty and not isinstance(given.value, bool):
            del presets.value[key]
        set_default(presets, key, value)
    set_default(presets, "pipelines_development", True)
    tags = set_default(presets, "tags", {})
    if tags.is_map:
        set_default(tags, "dev", user.short_name)
    lock = ensure_map(root, ("bundle", "deployment", "lock"))
    set_default(lock, "enabled", False)


def uc_prefix(prefix: str) -> str:
    """Unity Catalog names cannot hold `[dev jane] `: punctuation goes, spaces become `_`, and a `_`
    is added only after a prefix that ended in `]` (`[dev jane] ` → `dev_jane_`, `dev_` stays,
    `team-` → `team`)."""
    trimmed = prefix.strip(" ")
    suffix = "_" if trimmed.endswith("]") else ""
    core = re.sub(r"[^\w ]", "", trimmed).replace(" ", "_")
    return core + suffix if core else ""


# Resource kinds that take the name prefix: (kind, field, how the prefix is written).
_RAW, _UC, _LEAF, _UC_LEAF = "raw", "uc", "leaf", "uc-leaf"
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
    ("alerts", "display_name", _RAW),
    ("sql_warehouses", "name", _RAW),
    ("vector_search_endpoints", "name", _UC),
    ("vector_search_indexes", "name", _UC_LEAF),
)


def check_pause_status(root: Node, diags: list[Diagnostic]) -> None:
    presets = root.get("presets")
    pause = presets.get("trigger_pause_status") if presets is not None and presets.is_map else None
    if pause is not None and pause.value not in (None, "", PAUSED, "UNPAUSED"):
        diags.append(
            Diagnostic(
                Severity.ERROR,
                "Invalid value for trigger_pause_status, should be PAUSED or UNPAUSED",
                location=pause.loc,
            )
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
        if tags is not None:
            _merge_tags(pipeline, "tags", tags)
    for _, warehouse in map_entries(resources, "sql_warehouses"):
        if tags is not None:
            _append_tags(ensure_map(warehouse, ("tags",)), tags, "custom_tags")
    for _, cluster in map_entries(resources, "clusters"):
        if tags is not None:
            _merge_tags(cluster, "custom_tags", tags)
    if tags is not None:
        for kind in ("models", "experiments"):
            for _, resource in map_entries(resources, kind):
                _append_tags(resource, tags)
    if pause == PAUSED:
        # Monitors cannot be paused: their schedule is left out, unless it says UNPAUSED itself.
        for _, monitor in map_entries(resources, "quality_monitors"):
            schedule = monitor.get("schedule")
            status = schedule.get("pause_status") if schedule is not None and schedule.is_map else None
            if schedule is not None and (status is None or status.value != "UNPAUSED"):
                del monitor.value["schedule"]


def check_production(root: Node, target: Node | None, user: CurrentUser, diags: list[Diagnostic]) -> None:
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
    # Only the target's own root_path keeps copies apart: one set for every target does not.
    workspace = target.get("workspace") if target is not None and target.is_map else None
    explicit = workspace.get("root_path") if workspace is not None and workspace.is_map else None
    if explicit is not None and explicit.value:
        return
    advice = (
        "set 'workspace.root_path' to make sure only one copy is deployed. A common practice is to use "
        "a username or principal name in this path, i.e. root_path: "
        f"/Workspace/Users/{user.user_name}/.bundle/${{bundle.name}}/${{bundle.target}}"
    )
    where = target.loc if target is not None else root.loc
    if user.is_service_principal or _every_job_runs_as(root):
        # Running as a principal does not by itself keep copies apart: advised, not required.
        diags.append(
            Diagnostic(Severity.INFO, "target with 'mode: production' should " + advice, location=where)
        )
        return
    diags.append(Diagnostic(Severity.ERROR, "target with 'mode: production' must " + advice, location=where))


def check_development(root: Node, user: CurrentUser, diags: list[Diagnostic]) -> None:
    """What keeps one developer's copy from overwriting another's, as the CLI checks it once the
    configuration is resolved and the presets applied; every problem is reported."""
    presets = root.get("presets")
    presets = presets if presets is not None and presets.is_map else Node({})
    pause = presets.get("trigger_pause_status")
    if pause is not None and pause.value == "UNPAUSED":
        diags.append(
            Diagnostic(
                Severity.ERROR,
                "target with 'mode: development' cannot set trigger pause status to UNPAUSED by default",
                location=pause.loc,
            )
        )
    _check_paths(root.get("workspace"), user, diags)
    custom = presets.get("name_prefix")
    text = custom.value if custom is not None and isinstance(custom.value, str) else ""
    if text and user.short_name not in text and user.user_name not in text:  # references resolved by now
        diags.append(
            Diagnostic(
                Severity.ERROR,
                "prefix should contain the current username or ${workspace.current_user.short_name} "
                "to ensure uniqueness when using 'mode: development'",
                location=custom.loc if custom is not None else None,
            )
        )


def _check_paths(workspace: Node | None, user: CurrentUser, diags: list[Diagnostic]) -> None:
    """The first workspace path that names neither the user nor their short name (the CLI says
    which, without a place)."""
    if workspace is None or not workspace.is_map:
        return
    for key in ("root_path", "file_path", "resource_path", "artifact_path", "state_path"):
        node = workspace.get(key)
        path = str(node.value) if node is not None and node.value else ""
        if not path or user.user_name in path or user.short_name in path:
            continue
        if key == "artifact_path" and path.startswith("/Volumes"):
            summary = (
                f"{key} should contain the current username or ${{workspace.current_user.short_name}} "
                "to ensure uniqueness when using 'mode: development'"
            )
        else:
            summary = (
                f"{key} must start with '~/' or contain the current username to ensure uniqueness "
                "when using 'mode: development'"
            )
        diags.append(Diagnostic(Severity.ERROR, summary))
        return


def _every_job_runs_as(root: Node) -> bool:
    run_as = root.get("run_as")
    if run_as is not None and run_as.is_map and run_as.value:
        return True
    # As the CLI counts it: a bundle without jobs has every job running as someone.
    return all(job.get("run_as") is not None for _, job in map_entries(root.get("resources"), "jobs"))


def _prefix_field(resource: Node, field: str, prefix: str, style: str) -> None:
    node = resource.get(field)
    if node is None or not isinstance(node.value, str):
        return
    if style == _UC:
        node.value = uc_prefix(prefix) + node.value
    elif style == _LEAF:  # experiments are workspace paths: the prefix goes on the last part
        head, sep, leaf = node.value.rpartition("/")
        node.value = f"{head}{sep}{prefix}{leaf}"
    elif style == _UC_LEAF:  # a three-part table name (`c.s.index`): the prefix goes on the table
        head, sep, leaf = node.value.rpartition(".")
        node.value = f"{head}{sep}{uc_prefix(prefix)}{leaf}"
    else:
        node.value = prefix + node.value


def _merge_tags(resource: Node, field: str, tags: Node) -> None:
    existing = set_default(resource, field, {})
    if existing.is_map:
        for key, value in tags.items():
            if key not in existing.value:
                existing.value[key] = value.copy()


def _append_tags(resource: Node, tags: Node, field: str = "tags") -> None:
    """Models, experiments and warehouses hold tags as a list of `{key, value}`."""
    existing = set_default(resource, field, [])
    if not existing.is_seq:
        return
    present = {str(k.value) for t in map_items(existing) if (k := t.get("key")) is not None}
    for key, value in sorted(tags.items()):
        if key not in present:
            existing.value.append(Node({"key": Node(key, value.loc), "value": value.copy()}, value.loc))


def _text(node: Node | None) -> str:
    return str(node.value) if node is not None and node.value is not None else ""
