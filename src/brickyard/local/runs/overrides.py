"""What a run request changes about a job for that one run: job parameters and legacy task parameters.

Job parameters (`job_parameters`) override the job's declared defaults and must be declared. The
older per-task-type parameters (`notebook_params`, `python_params`, …) override the settings of
every task of that type, as `run-now` documents.
"""

from __future__ import annotations

import copy
from typing import Any

from brickyard.local.apierror import ApiError

LEGACY = (
    "notebook_params",
    "python_params",
    "python_named_params",
    "jar_params",
    "spark_submit_params",
    "sql_params",
    "dbt_commands",
    "pipeline_params",
)


def apply_overrides(settings: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(settings)
    for task in doc.get("tasks") or []:
        _apply_to_task(task, body)
        nested = (task.get("for_each_task") or {}).get("task")
        if isinstance(nested, dict):
            _apply_to_task(nested, body)
    return doc


def _apply_to_task(task: dict[str, Any], body: dict[str, Any]) -> None:
    if body.get("notebook_params") and "notebook_task" in task:
        params = task["notebook_task"].setdefault("base_parameters", {})
        params.update({str(k): str(v) for k, v in body["notebook_params"].items()})
    if body.get("python_params") is not None:
        for kind in ("spark_python_task", "python_wheel_task"):
            if kind in task:
                task[kind]["parameters"] = [str(p) for p in body["python_params"]]
    if body.get("python_named_params") is not None and "python_wheel_task" in task:
        task["python_wheel_task"]["named_parameters"] = {
            str(k): str(v) for k, v in body["python_named_params"].items()
        }
    if body.get("jar_params") is not None and "spark_jar_task" in task:
        task["spark_jar_task"]["parameters"] = list(body["jar_params"])
    if body.get("spark_submit_params") is not None and "spark_submit_task" in task:
        task["spark_submit_task"]["parameters"] = list(body["spark_submit_params"])
    if body.get("sql_params") and "sql_task" in task:
        task["sql_task"].setdefault("parameters", {}).update(body["sql_params"])
    if body.get("dbt_commands") is not None and "dbt_task" in task:
        task["dbt_task"]["commands"] = list(body["dbt_commands"])
    if body.get("pipeline_params") and "pipeline_task" in task:
        task["pipeline_task"]["full_refresh"] = bool(body["pipeline_params"].get("full_refresh"))


def job_parameters(
    settings: dict[str, Any], given: dict[str, Any]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The run's parameter values (unresolved) and their `job_parameters` documents."""
    declared = {p["name"]: p for p in settings.get("parameters") or []}
    unknown = [name for name in given if name not in declared]
    if unknown:
        raise ApiError.invalid(f"Job parameter(s) {', '.join(sorted(unknown))} are not defined by the job.")
    values = {name: str(given.get(name, param.get("default", ""))) for name, param in declared.items()}
    docs = [{"name": name, "default": str(param.get("default", ""))} for name, param in declared.items()]
    return values, docs


def overriding_parameters(body: dict[str, Any]) -> dict[str, Any]:
    return {key: copy.deepcopy(body[key]) for key in LEGACY if body.get(key) is not None}
