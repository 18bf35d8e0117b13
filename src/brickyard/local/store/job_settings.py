"""Job settings as the Jobs API accepts them: defaults filled in, task graph checked.

A workspace refuses a job whose tasks repeat a key, depend on an unknown task, form a cycle, or name
no (or two) task types; so does this one, with the same error code, so a bundle that deploys locally
also deploys for real.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from brickyard.graph import find_cycle
from brickyard.local.apierror import ApiError
from brickyard.task_types import TASK_TYPES

RUN_IF = (
    "ALL_SUCCESS",
    "AT_LEAST_ONE_SUCCESS",
    "NONE_FAILED",
    "ALL_DONE",
    "AT_LEAST_ONE_FAILED",
    "ALL_FAILED",
)
MAX_TASKS = 1000
_TASK_KEY = re.compile(r"^[\w\-.]{1,100}$")

JOB_DEFAULTS: dict[str, Any] = {
    "name": "Untitled",
    "email_notifications": {},
    "webhook_notifications": {},
    "timeout_seconds": 0,
    "max_concurrent_runs": 1,
    "format": "MULTI_TASK",
}


# What a Jobs 2.0 (single-task format) job keeps at the top level and a task holds in 2.1.
SINGLE_TASK_FIELDS = (
    "existing_cluster_id",
    "new_cluster",
    "job_cluster_key",
    "libraries",
    "max_retries",
    "min_retry_interval_millis",
    "retry_on_timeout",
    "environment_key",
)


def normalize_job(settings: dict[str, Any]) -> dict[str, Any]:
    """A copy of `settings` with the API's defaults, after checking it; raises ApiError(400)."""
    if not isinstance(settings, dict):
        raise ApiError.invalid("job settings must be an object")
    doc = as_multi_task(copy.deepcopy(settings), settings.get("name") or settings.get("run_name"))
    doc.pop("access_control_list", None)
    for key, value in JOB_DEFAULTS.items():
        doc.setdefault(key, copy.deepcopy(value))
    check_job(doc)
    return doc


def as_multi_task(settings: dict[str, Any], name: Any = None) -> dict[str, Any]:
    """A Jobs 2.0 single-task job (`notebook_task`, `existing_cluster_id`, `libraries`... at the top
    level) as the one task it runs, the way a workspace stores it: `format` SINGLE_TASK and a task
    keyed by the job's name. Multi-task settings come back unchanged."""
    if settings.get("tasks") or not any(settings.get(kind) is not None for kind in TASK_TYPES):
        return settings
    doc = dict(settings)
    task: dict[str, Any] = {"task_key": _task_key(name)}
    for key in (*TASK_TYPES, *SINGLE_TASK_FIELDS):
        if key in doc:
            task[key] = doc.pop(key)
    doc["tasks"] = [task]
    doc["format"] = "SINGLE_TASK"
    return doc


def as_single_task(settings: dict[str, Any]) -> dict[str, Any]:
    """What Jobs API 2.0 shows of a single-task job: its task's fields back at the top level."""
    tasks = settings.get("tasks") or []
    if settings.get("format") != "SINGLE_TASK" or len(tasks) != 1:
        return settings
    doc = {k: v for k, v in settings.items() if k != "tasks"}
    doc.update({k: v for k, v in tasks[0].items() if k in (*TASK_TYPES, *SINGLE_TASK_FIELDS)})
    return doc


def _task_key(name: Any) -> str:
    key = re.sub(r"[^\w\-.]", "_", str(name or ""))[:100]
    return key or "task"


def check_job(doc: dict[str, Any]) -> None:
    max_runs = doc.get("max_concurrent_runs", 1)
    if not isinstance(max_runs, int) or max_runs < 0 or max_runs > 1000:
        raise ApiError.invalid("max_concurrent_runs must be an integer between 0 and 1000")
    _check_timeout(doc.get("timeout_seconds", 0), "timeout_seconds")
    names = [p.get("name") for p in doc.get("parameters") or []]
    for param in doc.get("parameters") or []:
        if not isinstance(param, dict) or not param.get("name") or "default" not in param:
            raise ApiError.invalid("every job parameter needs a name and a default")
    if len(set(names)) != len(names):
        raise ApiError.invalid("job parameter names must be unique")
    cluster_keys = {c.get("job_cluster_key") for c in doc.get("job_clusters") or [] if isinstance(c, dict)}
    check_tasks(doc.get("tasks") or [], cluster_keys)


def check_tasks(tasks: list[Any], cluster_keys: set[Any] | None = None) -> None:
    if not isinstance(tasks, list):
        raise ApiError.invalid("tasks must be a list")
    if len(tasks) > MAX_TASKS:
        raise ApiError.invalid(f"a job has at most {MAX_TASKS} tasks")
    keys: list[str] = []
    for task in tasks:
        check_task(task, cluster_keys)
        keys.append(task["task_key"])
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ApiError.invalid(
            f"Task key {duplicates[0]} is used by more than one task; task keys must be unique."
        )
    known = set(keys)
    for task in tasks:
        for dep in task.get("depends_on") or []:
            if not isinstance(dep, dict) or dep.get("task_key") not in known:
                name = dep.get("task_key") if isinstance(dep, dict) else dep
                raise ApiError.invalid(
                    f"Task {task['task_key']} depends on {name}, which is not a task of this job."
                )
    cycle = find_cycle({t["task_key"]: [d["task_key"] for d in t.get("depends_on") or []] for t in tasks})
    if cycle:
        raise ApiError.invalid(f"The task graph has a cycle: {' -> '.join(cycle)}.")


def check_task(task: Any, cluster_keys: set[Any] | None = None) -> None:
    if not isinstance(task, dict):
        raise ApiError.invalid("every task must be an object")
    key = task.get("task_key")
    if not isinstance(key, str) or not _TASK_KEY.match(key):
        raise ApiError.invalid(
            f"task_key {key!r} must be 1-100 letters, digits, underscores, dashes or periods"
        )
    types = [name for name in TASK_TYPES if task.get(name) is not None]
    if not types:
        raise ApiError.invalid(f"Task {key} needs one task type, such as notebook_task or spark_python_task.")
    if len(types) > 1:
        raise ApiError.invalid(f"Task {key} has more than one task type: {', '.join(types)}.")
    run_if = task.get("run_if")
    if run_if is not None and run_if not in RUN_IF:
        raise ApiError.invalid(f"Task {key}: run_if must be one of {', '.join(RUN_IF)}; got {run_if!r}.")
    _check_timeout(task.get("timeout_seconds", 0), f"task {key} timeout_seconds")
    retries = task.get("max_retries", 0)
    if not isinstance(retries, int) or retries < -1:
        raise ApiError.invalid(f"Task {key}: max_retries must be an integer of -1 (forever) or more.")
    cluster = task.get("job_cluster_key")
    if cluster is not None and cluster_keys is not None and cluster not in cluster_keys:
        raise ApiError.invalid(f"Task {key} uses job cluster {cluster}, which the job does not define.")
    nested = (task.get("for_each_task") or {}).get("task")
    if task.get("for_each_task") is not None:
        if not isinstance(nested, dict):
            raise ApiError.invalid(f"Task {key}: for_each_task needs a nested task.")
        if nested.get("for_each_task") is not None:
            raise ApiError.invalid(f"Task {key}: a for_each_task cannot contain another for_each_task.")
        check_task(nested, cluster_keys)
        concurrency = task["for_each_task"].get("concurrency", 1)
        if not isinstance(concurrency, int) or not 1 <= concurrency <= 100:
            raise ApiError.invalid(f"Task {key}: for_each_task concurrency must be between 1 and 100.")


def merge_update(current: dict[str, Any], new: dict[str, Any], remove: list[str]) -> dict[str, Any]:
    """`jobs/update`: top-level fields replace, `tasks` and `job_clusters` merge by key, and
    `fields_to_remove` drops top-level fields or single entries (`tasks/<key>`)."""
    doc = copy.deepcopy(current)
    for field_name, value in (new or {}).items():
        if field_name == "tasks":
            doc["tasks"] = _merge_by(doc.get("tasks") or [], value or [], "task_key")
        elif field_name == "job_clusters":
            doc["job_clusters"] = _merge_by(doc.get("job_clusters") or [], value or [], "job_cluster_key")
        else:
            doc[field_name] = copy.deepcopy(value)
    for item in remove or []:
        head, _, key = item.partition("/")
        if not key:
            doc.pop(head, None)
            continue
        key_field = {
            "tasks": "task_key",
            "job_clusters": "job_cluster_key",
            "environments": "environment_key",
        }
        if head not in key_field:
            raise ApiError.invalid(
                f"cannot remove {item!r}: only tasks, job_clusters and environments have keys"
            )
        doc[head] = [e for e in doc.get(head) or [] if e.get(key_field[head]) != key]
    return doc


def _merge_by(current: list[dict[str, Any]], new: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    merged = {entry.get(key): entry for entry in current}
    for entry in new:
        merged[entry.get(key)] = copy.deepcopy(entry)
    return list(merged.values())


def _check_timeout(value: Any, what: str) -> None:
    if not isinstance(value, int) or value < 0:
        raise ApiError.invalid(f"{what} must be a non-negative integer")
