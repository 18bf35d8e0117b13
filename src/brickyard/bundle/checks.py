"""Semantic checks on a resolved target: things a schema cannot see.

Resource keys usable in references, every task with one task type and a unique key, `depends_on`
naming tasks that exist, a task graph without cycles, `job_cluster_key` defined, and resource kinds
brickyard cannot deploy yet.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from brickyard.bundle.node import Node, Path, format_path, map_entries, map_items
from brickyard.errors import Diagnostic, Severity
from brickyard.graph import find_cycle
from brickyard.resources import Registry

_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def check_reference_keys(tree: Node) -> list[Diagnostic]:
    """A resource is named by a fixed key: `${…}` in one is refused before anything else."""
    resources = tree.get("resources")
    if resources is None or not resources.is_map:
        return []
    return [
        Diagnostic(
            Severity.ERROR,
            f'resource key "{key}" must not contain variable references',
            f"resources.{kind}.{key}",
            resource.loc or resource.key_loc,
        )
        for kind, group in resources.items()
        if group.is_map
        for key, resource in group.items()
        if "${" in key
    ]


def check_internal_kinds(tree: Node) -> list[Diagnostic]:
    """Kinds the deploy keeps for itself (`internal_…`, such as its immutable snapshots) are not
    the bundle's to declare."""
    resources = tree.get("resources")
    if resources is None or not resources.is_map:
        return []
    internal = [group for kind, group in resources.items() if kind.startswith("internal_")]
    if not internal:
        return []
    where = internal[0].key_loc or internal[0].loc
    return [
        Diagnostic(
            Severity.ERROR, "Internal resources cannot be set in bundle configuration", "resources", where
        )
    ]


def check_resources(config: Node, registry: Registry, diags: list[Diagnostic]) -> None:
    resources = config.get("resources")
    if resources is None or not resources.is_map:
        return
    for kind, group in resources.items():
        if not group.is_map:
            continue
        for key, resource in group.items():
            path: Path = ("resources", kind, key)
            if not _KEY.match(key):
                diags.append(
                    Diagnostic(
                        Severity.ERROR,
                        f"resource key {key!r} may contain only letters, digits, '_' and '-'",
                        format_path(path),
                        resource.key_loc or resource.loc,
                    )
                )
            declared = registry.get(kind)
            if declared is not None and resource.is_map:
                declared.check(key, resource, diags)
                _check_grants(path, resource, diags)
            elif (undeployed := _UNDEPLOYED_CHECKS.get(kind)) is not None and resource.is_map:
                undeployed(key, resource, diags)


def _check_job_run(key: str, run: Node, diags: list[Diagnostic]) -> None:
    """A job run's idempotency token is chosen afresh for each run-now request."""
    token = run.get("idempotency_token")
    if _set(token):
        assert token is not None
        diags.append(
            Diagnostic(
                Severity.ERROR,
                "idempotency_token must not be set in bundle configuration; the CLI sets it on each run-now request",
                format_path(("resources", "job_runs", key, "idempotency_token")),
                token.loc,
            )
        )


_UNDEPLOYED_CHECKS: dict[str, Callable[[str, Node, list[Diagnostic]], None]] = {"job_runs": _check_job_run}
"""What validate refuses in kinds it accepts but does not deploy (registered kinds check their own)."""


# What the Jobs API accepts: longer values are refused at deploy, so validate says so first.
_MAX_JOB_NAME = 4096
_MAX_TASK_KEY = 100


def _too_long(node: Node | None, limit: int, what: str, path: Path, diags: list[Diagnostic]) -> None:
    if node is not None and isinstance(node.value, str) and len(node.value) > limit:
        diags.append(
            Diagnostic(
                Severity.ERROR,
                f"{what} is {len(node.value)} characters long; the API accepts at most {limit}",
                format_path(path),
                node.loc,
            )
        )


def _check_grants(path: Path, resource: Node, diags: list[Diagnostic]) -> None:
    """A Unity Catalog grant names who it is for and what it allows: without a principal it cannot
    be applied, and without privileges the workspace drops it, so every deploy would add it again."""
    for index, grant in enumerate(map_items(resource.get("grants"))):
        principal = grant.get("principal")
        where = format_path((*path, "grants", index))
        if principal is None or not isinstance(principal.value, str) or not principal.value.strip():
            diags.append(Diagnostic(Severity.ERROR, "grant principal is required", where, grant.loc))
        privileges = grant.get("privileges")
        if privileges is None or privileges.value is None or (privileges.is_seq and not privileges.value):
            diags.append(Diagnostic(Severity.ERROR, "grant privileges is required", where, grant.loc))


def _set(node: Node | None) -> bool:
    return node is not None and node.value is not None


def check_etag(kind: str, what: str, key: str, resource: Node, diags: list[Diagnostic]) -> None:
    """An etag is the workspace's version of the object: written in the bundle it would pin a stale one."""
    if _set(resource.get("etag")):
        diags.append(
            Diagnostic(
                Severity.ERROR,
                f'{what} "{key}" has an etag set. Etags must not be set in bundle configuration',
                format_path(("resources", kind, key)),
                resource.loc,
            )
        )


def check_retention(kind: str, key: str, resource: Node, diags: list[Diagnostic]) -> None:
    """`custom_max_retention_hours`: the API takes 0 or 7 to 30 days, whatever the field's name says."""
    hours = resource.get("custom_max_retention_hours")
    value = hours.value if hours is not None else None
    if isinstance(value, int) and not isinstance(value, bool) and value != 0 and not 168 <= value <= 720:
        diags.append(
            Diagnostic(
                Severity.ERROR,
                f"custom_max_retention_hours must be 0 or between 168 and 720 hours (7 to 30 days), got {value}",
                format_path(("resources", kind, key, "custom_max_retention_hours")),
                hours.loc if hours is not None else None,
            )
        )


def check_deployment_ids(kind: str, key: str, resource: Node, diags: list[Diagnostic]) -> None:
    """`deployment.deployment_id` / `version_id` are the deploy's own record of a job or pipeline."""
    deployment = resource.get("deployment")
    for field in ("deployment_id", "version_id"):
        value = deployment.get(field) if deployment is not None and deployment.is_map else None
        if _set(value):
            assert value is not None
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    f"{field} must not be set in bundle configuration; it is managed by Declarative Automation "
                    "Bundles",
                    format_path(("resources", kind, key, "deployment", field)),
                    value.loc,
                )
            )


def check_serverless_clusters(key: str, pipeline: Node, diags: list[Diagnostic]) -> None:
    """A serverless pipeline runs on compute Databricks manages: clusters for it are refused."""
    serverless, clusters = pipeline.get("serverless"), pipeline.get("clusters")
    if serverless is not None and serverless.value is True and clusters is not None and clusters.value:
        diags.append(
            Diagnostic(
                Severity.ERROR,
                "Cannot configure clusters for a serverless pipeline",
                format_path(("resources", "pipelines", key, "clusters")),
                clusters.loc,
                detail="Remove the clusters setting or set serverless to false.",
            )
        )


def check_warehouse_name(key: str, warehouse: Node, diags: list[Diagnostic]) -> None:
    """The SQL Warehouses API needs a name that is not blank."""
    name = warehouse.get("name")
    if name is not None and isinstance(name.value, str) and name.value.strip():
        return
    blank = name is not None and isinstance(name.value, str)
    diags.append(
        Diagnostic(
            Severity.ERROR,
            "sql_warehouse name must not be blank" if blank else "sql_warehouse name is required",
            format_path(("resources", "sql_warehouses", key, "name")),
            name.loc if blank and name is not None else warehouse.loc,
        )
    )


def check_job(key: str, job: Node, diags: list[Diagnostic]) -> None:
    check_deployment_ids("jobs", key, job, diags)
    base: Path = ("resources", "jobs", key)
    _too_long(job.get("name"), _MAX_JOB_NAME, "the job name", (*base, "name"), diags)
    tasks = job.get("tasks")
    if tasks is None or not tasks.is_seq:
        return
    clusters = {
        str(c.get("job_cluster_key").value)  # type: ignore[union-attr]
        for c in map_items(job.get("job_clusters"))
        if c.get("job_cluster_key") is not None
    }
    keys: dict[str, int] = {}
    graph: dict[str, list[str]] = {}
    for index, task in enumerate(tasks.value):
        path = (*base, "tasks", index)
        if not task.is_map:
            continue
        # A task without a key or a task type is the API's to refuse at deploy, as with the CLI.
        task_key = task.get("task_key")
        if task_key is None or not task_key.value:
            continue
        name = str(task_key.value)
        _too_long(task_key, _MAX_TASK_KEY, "task_key", (*path, "task_key"), diags)
        if task.get("for_each_task") is not None and _set(task.get("max_retries")):
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    "Invalid max_retries configuration for for_each_task",
                    format_path(path),
                    task.loc,
                    detail=f'Task "{name}" has max_retries defined at the parent level, but it uses '
                    "for_each_task.\nWhen using for_each_task, max_retries must be defined on the nested task "
                    "(for_each_task.task.max_retries), not on the parent task.",
                )
            )
        keys[name] = index
        cluster_key = task.get("job_cluster_key")
        if cluster_key is not None and cluster_key.value not in clusters:
            diags.append(
                Diagnostic(
                    Severity.WARNING,
                    f"job_cluster_key {cluster_key.value} is not defined",
                    format_path((*path, "job_cluster_key")),
                    cluster_key.loc,
                )
            )
        graph[name] = [
            str(dep.value)
            for d in map_items(task.get("depends_on"))
            if (dep := d.get("task_key")) is not None
        ]
    for name, index in keys.items():
        depends = tasks.value[index].get("depends_on")
        for dep_index, dep in enumerate(map_items(depends)):
            dep_key = dep.get("task_key")
            if dep_key is not None and str(dep_key.value) not in keys:
                diags.append(
                    Diagnostic(
                        Severity.ERROR,
                        f"task {name} depends on {dep_key.value}, which is not a task of job {key}",
                        format_path((*base, "tasks", index, "depends_on", dep_index, "task_key")),
                        dep_key.loc,
                    )
                )
    cycle = find_cycle(graph)
    if cycle:
        first = tasks.value[keys[cycle[0]]]
        diags.append(
            Diagnostic(
                Severity.ERROR,
                f"the tasks of job {key} form a cycle: {' -> '.join(cycle)}",
                format_path((*base, "tasks", keys[cycle[0]], "depends_on")),
                (first.get("depends_on") or first).loc,
            )
        )


def check_duplicate_task_keys(resources: Node | None, diags: list[Diagnostic]) -> None:
    """Two tasks with one key in the same definition are a mistake; targets merge by key later."""
    for key, job in map_entries(resources, "jobs"):
        seen: set[str] = set()
        for index, task in enumerate(map_items(job.get("tasks"))):
            task_key = task.get("task_key")
            if task_key is None:
                continue
            if str(task_key.value) in seen:
                diags.append(
                    Diagnostic(
                        Severity.ERROR,
                        f"task_key {task_key.value} is used twice in job {key}",
                        format_path(("resources", "jobs", key, "tasks", index, "task_key")),
                        task_key.loc,
                    )
                )
            seen.add(str(task_key.value))


def undeployable(config: Node) -> list[Diagnostic]:
    """Resources brickyard's deploy leaves out: a note for deploy, not a finding of validate (the
    Databricks CLI accepts them)."""
    from brickyard.bundle.schema import NOT_DEPLOYABLE

    notes = []
    for kind in NOT_DEPLOYABLE:
        for key, resource in map_entries(config.get("resources"), kind):
            notes.append(
                Diagnostic(
                    Severity.WARNING,
                    f"{kind} are not deployable by brickyard yet; deploy leaves {key} out",
                    format_path(("resources", kind, key)),
                    resource.key_loc or resource.loc,
                )
            )
    return notes


AUTH_FIELDS = {
    "host": "DATABRICKS_HOST",
    "profile": "DATABRICKS_CONFIG_PROFILE",
    "auth_type": "DATABRICKS_AUTH_TYPE",
    "metadata_service_url": "DATABRICKS_METADATA_SERVICE_URL",
    "client_id": "DATABRICKS_CLIENT_ID",
    "azure_workspace_resource_id": "DATABRICKS_AZURE_RESOURCE_ID",
    "azure_use_msi": "ARM_USE_MSI",
    "azure_client_id": "ARM_CLIENT_ID",
    "azure_tenant_id": "ARM_TENANT_ID",
    "azure_environment": "ARM_ENVIRONMENT",
    "azure_login_app_id": "DATABRICKS_AZURE_LOGIN_APP_ID",
    "google_service_account": "DATABRICKS_GOOGLE_SERVICE_ACCOUNT",
}
"""`workspace` fields that say how to authenticate, and the variable that sets each at run time."""
_HOST_CHARS = "-._~!$&'()*+,;=:[]%/?#@"
"""What a URL's host part may hold besides letters and digits (Go's URL parser, which the CLI uses)."""


def interpolated_auth_fields(config: Node, diags: list[Diagnostic]) -> bool:
    """References in the fields that configure authentication are not resolved, as the CLI needs
    them before variables are: a warning for each; a host written so cannot be reached, an error.
    True when validation must stop there."""
    workspace = config.get("workspace")
    if workspace is None or not workspace.is_map:
        return False
    stop = False
    for key, env in AUTH_FIELDS.items():
        node = workspace.get(key)
        if node is None or not isinstance(node.value, str) or "${" not in node.value:
            continue
        diags.append(
            Diagnostic(
                Severity.WARNING,
                "Variable interpolation is not supported for fields that configure authentication",
                f"workspace.{key}",
                node.loc,
                detail=f"Interpolation is not supported for the field workspace.{key}. Please set\n"
                f"the {env} environment variable if you wish to configure this field at runtime.",
            )
        )
        if key == "host":
            host = node.value if "://" in node.value else f"https://{node.value}"
            bad = next((c for c in host.split("://", 1)[1] if not (c.isalnum() or c in _HOST_CHARS)), "{")
            diags.append(
                Diagnostic(
                    Severity.ERROR,
                    f'failed during request visitor: parse "{host}": invalid character "{bad}" in host name',
                )
            )
            stop = True
    return stop
