"""Run documents as `runs/get`, `runs/list` and `runs/get-output` return them.

A job run's document is assembled from its own row and its task runs (every attempt). A task run
id gets a run of its own shape with that one task, plus `iterations` for a for-each task, which is
how the API exposes for-each iterations. API 2.2 pages long task and iteration lists by 100, with
`next_page_token`; the SDK's `get_run` follows the pages itself.
"""

from __future__ import annotations

import copy
from typing import Any, Protocol

from brickyard.local.apierror import ApiError
from brickyard.local.home import LocalHome
from brickyard.local.runs.repair import current_task_rows, history
from brickyard.local.runs.worker_task import read_tail
from brickyard.local.store import paging
from brickyard.local.store.runs import ITERATION, JOB, TASK, RunRow, RunStore


class Services(Protocol):
    """What the views read: the run store, the runs' directories (for logs), the workspace user."""

    @property
    def runs(self) -> RunStore: ...

    @property
    def home(self) -> LocalHome: ...

    @property
    def user(self) -> str: ...


PAGE = 100
NOTEBOOK_RESULT_LIMIT = 5 * 1024 * 1024
_TASK_RUN_FIELDS = (
    "job_id",
    "state",
    "status",
    "start_time",
    "end_time",
    "setup_duration",
    "execution_duration",
    "cleanup_duration",
    "run_duration",
    "attempt_number",
    "run_page_url",
    "cluster_instance",
)


def get_run(
    ws: Services,
    run_id: Any,
    include_resolved: bool = False,
    page_token: str | None = None,
    paginate: bool = True,
) -> dict[str, Any]:
    row = ws.runs.get(run_id)
    if row.kind == JOB:
        doc = copy.deepcopy(row.doc)
        rows = current_task_rows([r for r in ws.runs.children(row.run_id) if r.kind == TASK], history(doc))
        tasks = [_task_doc(r, include_resolved) for r in rows]
        _page(doc, "tasks", tasks, page_token, paginate)
        return doc
    return _task_run(ws, row, include_resolved, page_token, paginate)


def list_runs(ws: Services, rows: list[RunRow], expand_tasks: bool) -> list[dict[str, Any]]:
    runs = []
    for row in rows:
        doc = copy.deepcopy(row.doc)
        if expand_tasks:
            rows = [r for r in ws.runs.children(row.run_id) if r.kind == TASK]
            doc["tasks"] = [_task_doc(r, False) for r in current_task_rows(rows, history(doc))]
        runs.append(doc)
    return runs


def get_output(ws: Services, run_id: Any) -> dict[str, Any]:
    row = ws.runs.get(run_id)
    if row.kind == JOB:
        rows = [r for r in ws.runs.children(row.run_id) if r.kind == TASK]
        attempts = current_task_rows(rows, history(row.doc))
        if len({r.doc["task_key"] for r in attempts}) != 1:
            raise ApiError.invalid(
                "Retrieving the output of runs with multiple tasks is not supported. "
                "Please retrieve the output of each individual task run instead."
            )
        row = attempts[-1]
    stored = ws.runs.output(row.run_id)
    doc: dict[str, Any] = {"metadata": get_run(ws, row.run_id, paginate=False)}
    task = row.doc
    if "notebook_task" in task or stored.get("notebook_result") is not None:
        doc["notebook_output"] = _notebook_output(stored.get("notebook_result"))
    log_file = ws.home.runs_dir / str(row.root_run_id) / str(row.run_id) / "log.txt"
    if log_file.exists():  # also while the task runs: live logs
        logs = read_tail(log_file)
        doc["logs"] = logs
        doc["logs_truncated"] = log_file.stat().st_size > len(logs.encode("utf-8"))
    for key in ("error", "error_trace"):
        if stored.get(key):
            doc[key] = stored[key]
    if stored.get("run_job_run_id"):
        doc["run_job_output"] = {"run_id": stored["run_job_run_id"]}
    return doc


def _notebook_output(result: str | None) -> dict[str, Any]:
    """The exit value, cut to its first 5 MB as Databricks does (`truncated` says so)."""
    if result is None:
        return {}
    data = result.encode("utf-8")
    if len(data) <= NOTEBOOK_RESULT_LIMIT:
        return {"result": result, "truncated": False}
    return {"result": data[:NOTEBOOK_RESULT_LIMIT].decode("utf-8", errors="ignore"), "truncated": True}


def _task_run(
    ws: Services, row: RunRow, include_resolved: bool, page_token: str | None, paginate: bool
) -> dict[str, Any]:
    task = _task_doc(row, include_resolved)
    root = ws.runs.find(row.root_run_id)
    doc: dict[str, Any] = {k: copy.deepcopy(task[k]) for k in _TASK_RUN_FIELDS if k in task}
    doc.update(
        run_id=row.run_id,
        number_in_job=row.root_run_id,
        original_attempt_run_id=row.run_id,
        run_name=task["task_key"],
        run_type=root.doc.get("run_type", "JOB_RUN") if root else "JOB_RUN",
        creator_user_name=root.doc.get("creator_user_name") if root else ws.user,
        format="MULTI_TASK",
        tasks=[task],
    )
    iterations = [_task_doc(r, include_resolved) for r in ws.runs.children(row.run_id) if r.kind == ITERATION]
    if iterations or "for_each_task" in task:
        _page(doc, "iterations", iterations, page_token, paginate)
    return doc


def _task_doc(row: RunRow, include_resolved: bool) -> dict[str, Any]:
    doc = copy.deepcopy(row.doc)
    resolved = doc.pop("resolved_values", None)
    if include_resolved and resolved:
        doc["resolved_values"] = resolved
    return doc


# Lists the SDK extends page by page next to the paged one: present on every page, filled on the first.
_COMPANIONS = ("job_clusters", "job_parameters", "repair_history")


def _page(
    doc: dict[str, Any], key: str, items: list[dict[str, Any]], token: str | None, paginate: bool
) -> None:
    if not paginate:
        doc[key] = items
        return
    offset = paging.decode(token)
    doc[key] = items[offset : offset + PAGE]
    more = offset + PAGE < len(items)
    if more:
        doc["next_page_token"] = paging.encode(offset + PAGE)
    if offset:
        doc["prev_page_token"] = paging.encode(max(0, offset - PAGE))
    if more or offset:
        for companion in _COMPANIONS:
            doc[companion] = [] if offset else doc.get(companion) or []
        if key == "iterations" and offset:
            doc["tasks"] = []
