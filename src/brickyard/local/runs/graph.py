"""The rules of a task graph: when a task may start, what it becomes when it may not, and the
result of the whole run.

Each dependency is classified once it has finished: it succeeded, failed, was canceled, or was
excluded (a condition branch not taken, or a task excluded in turn). Excluded dependencies did not
run, so they count neither as success nor as failure; a task whose dependencies were all excluded is
excluded too. That makes the usual if/else shape work: a task behind the untaken branch is
excluded, and a join after both branches runs with NONE_FAILED or ALL_DONE.

A job run's result comes from its leaf tasks, as on a workspace: a failure that a later task
recovered from (with run_if ALL_DONE, say) makes SUCCESS_WITH_FAILURES, not FAILED.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from brickyard.local.runs import states as s

OK, FAIL, CANCEL, EXCLUDE = "success", "failed", "canceled", "excluded"
_FAILED_RESULTS = {s.FAILED, s.TIMEDOUT, s.UPSTREAM_FAILED, s.MAXIMUM_CONCURRENT_RUNS_REACHED}
_CANCELED_RESULTS = {s.CANCELED, s.UPSTREAM_CANCELED}


@dataclass(frozen=True)
class Finished:
    """What a finished task run left behind, as far as its dependents care."""

    result_state: str | None
    outcome: str | None = None
    """A condition task's outcome: "true" or "false"."""


def classify(finished: Finished, wanted_outcome: str | None) -> str:
    result = finished.result_state
    if result == s.SUCCESS or result == s.SUCCESS_WITH_FAILURES:
        if wanted_outcome is not None and str(finished.outcome).lower() != str(wanted_outcome).lower():
            return EXCLUDE
        return OK
    if result in (s.EXCLUDED, s.DISABLED):
        return EXCLUDE
    if result in _CANCELED_RESULTS:
        return CANCEL
    return FAIL


def decide(run_if: str | None, deps: list[str]) -> str | None:
    """None if the task runs; otherwise the result state it gets without running."""
    if not deps:
        return None
    ran = [d for d in deps if d != EXCLUDE]
    failed = [d for d in ran if d == FAIL]
    canceled = [d for d in ran if d == CANCEL]
    succeeded = [d for d in ran if d == OK]
    upstream = s.UPSTREAM_CANCELED if canceled and not failed else s.UPSTREAM_FAILED
    rule = run_if or "ALL_SUCCESS"
    if not ran:
        return s.EXCLUDED
    if rule == "ALL_SUCCESS":
        if failed or canceled:
            return upstream
        return None if len(ran) == len(deps) else s.EXCLUDED
    if rule == "AT_LEAST_ONE_SUCCESS":
        return None if succeeded else upstream
    if rule == "NONE_FAILED":
        if failed or canceled:
            return upstream
        return None
    if rule == "ALL_DONE":
        return None
    if rule == "AT_LEAST_ONE_FAILED":
        return None if failed else s.EXCLUDED
    if rule == "ALL_FAILED":
        return None if failed and len(failed) == len(ran) else s.EXCLUDED
    return upstream


def dependents(tasks: Iterable[Mapping[str, Any]]) -> set[str]:
    """Keys of tasks that some other task depends on (so: not leaves)."""
    return {d["task_key"] for t in tasks for d in t.get("depends_on") or []}


def run_result(tasks: Sequence[Mapping[str, Any]], results: Mapping[str, str | None]) -> str:
    """The job run's result from its tasks' final results (latest attempt of each)."""
    values = list(results.values())
    if not values:
        return s.SUCCESS
    if any(r in _CANCELED_RESULTS for r in values) and not any(r in _FAILED_RESULTS for r in values):
        return s.CANCELED
    inner = dependents(tasks)
    leaves = [
        results.get(t["task_key"]) for t in tasks if t["task_key"] not in inner and t["task_key"] in results
    ]
    failing = [r for r in leaves if r in _FAILED_RESULTS or r in _CANCELED_RESULTS]
    if failing:
        return s.TIMEDOUT if all(r == s.TIMEDOUT for r in failing) else s.FAILED
    if any(r in _FAILED_RESULTS for r in values):
        return s.SUCCESS_WITH_FAILURES
    return s.SUCCESS
