"""Run states as the Jobs API reports them: the classic `state` and the newer `status` object.

`run_now(...).result()` in the SDK polls until `life_cycle_state` is TERMINATED or SKIPPED and
raises on INTERNAL_ERROR; newer clients read `status.state` and `status.termination_details`.
Every saved document carries both, derived here from one (life cycle, result) pair so they never
disagree.
"""

from __future__ import annotations

from typing import Any

# Life cycle states.
QUEUED = "QUEUED"
PENDING = "PENDING"
RUNNING = "RUNNING"
TERMINATING = "TERMINATING"
TERMINATED = "TERMINATED"
SKIPPED = "SKIPPED"
INTERNAL_ERROR = "INTERNAL_ERROR"
BLOCKED = "BLOCKED"
WAITING_FOR_RETRY = "WAITING_FOR_RETRY"
FINAL = (TERMINATED, SKIPPED, INTERNAL_ERROR)

# Result states.
SUCCESS = "SUCCESS"
SUCCESS_WITH_FAILURES = "SUCCESS_WITH_FAILURES"
FAILED = "FAILED"
TIMEDOUT = "TIMEDOUT"
CANCELED = "CANCELED"
EXCLUDED = "EXCLUDED"
UPSTREAM_FAILED = "UPSTREAM_FAILED"
UPSTREAM_CANCELED = "UPSTREAM_CANCELED"
MAXIMUM_CONCURRENT_RUNS_REACHED = "MAXIMUM_CONCURRENT_RUNS_REACHED"
DISABLED = "DISABLED"

_STATUS_STATE = {
    QUEUED: "QUEUED",
    PENDING: "PENDING",
    RUNNING: "RUNNING",
    TERMINATING: "TERMINATING",
    BLOCKED: "BLOCKED",
    WAITING_FOR_RETRY: "WAITING",
    TERMINATED: "TERMINATED",
    SKIPPED: "TERMINATED",
    INTERNAL_ERROR: "TERMINATED",
}

# result state -> (termination code, termination type)
_TERMINATION = {
    SUCCESS: ("SUCCESS", "SUCCESS"),
    SUCCESS_WITH_FAILURES: ("SUCCESS_WITH_FAILURES", "SUCCESS"),
    FAILED: ("RUN_EXECUTION_ERROR", "CLIENT_ERROR"),
    TIMEDOUT: ("CANCELED", "CLIENT_ERROR"),
    CANCELED: ("USER_CANCELED", "SUCCESS"),
    EXCLUDED: ("SKIPPED", "SUCCESS"),
    UPSTREAM_FAILED: ("SKIPPED", "SUCCESS"),
    UPSTREAM_CANCELED: ("SKIPPED", "SUCCESS"),
    MAXIMUM_CONCURRENT_RUNS_REACHED: ("MAX_CONCURRENT_RUNS_EXCEEDED", "CLIENT_ERROR"),
    DISABLED: ("DISABLED", "SUCCESS"),
}


def state_docs(
    life: str,
    result: str | None = None,
    message: str = "",
    code: str | None = None,
    queue_code: str | None = None,
) -> dict[str, Any]:
    """`{"state": …, "status": …}` for a run or task run; `code` overrides the termination code."""
    state: dict[str, Any] = {"life_cycle_state": life, "state_message": message}
    if result is not None:
        state["result_state"] = result
        state["user_cancelled_or_timedout"] = result in (CANCELED, TIMEDOUT)
    status: dict[str, Any] = {"state": _STATUS_STATE[life]}
    if life == QUEUED and queue_code:
        state["queue_reason"] = message
        status["queue_details"] = {"code": queue_code, "message": message}
    if life in FINAL:
        if life == INTERNAL_ERROR:
            default = ("INTERNAL_ERROR", "INTERNAL_ERROR")
        else:
            default = _TERMINATION.get(result or FAILED, ("RUN_EXECUTION_ERROR", "CLIENT_ERROR"))
        status["termination_details"] = {"code": code or default[0], "type": default[1], "message": message}
    return {"state": state, "status": status}


def life_of(doc: dict[str, Any]) -> str:
    return str(doc["state"]["life_cycle_state"])


def result_of(doc: dict[str, Any]) -> str | None:
    result = doc["state"].get("result_state")
    return None if result is None else str(result)
