"""run_if rules and the job run result, without running anything."""

from __future__ import annotations

import pytest

from brickyard.local.runs import states as s
from brickyard.local.runs.graph import CANCEL, EXCLUDE, FAIL, OK, Finished, classify, decide, run_result


@pytest.mark.parametrize(
    ("run_if", "deps", "verdict"),
    [
        (None, [OK, OK], None),
        ("ALL_SUCCESS", [OK, FAIL], s.UPSTREAM_FAILED),
        ("ALL_SUCCESS", [OK, CANCEL], s.UPSTREAM_CANCELED),
        ("ALL_SUCCESS", [OK, EXCLUDE], s.EXCLUDED),
        ("AT_LEAST_ONE_SUCCESS", [OK, FAIL], None),
        ("AT_LEAST_ONE_SUCCESS", [FAIL, FAIL], s.UPSTREAM_FAILED),
        ("NONE_FAILED", [OK, EXCLUDE], None),
        ("NONE_FAILED", [OK, FAIL], s.UPSTREAM_FAILED),
        ("ALL_DONE", [FAIL, CANCEL], None),
        ("ALL_DONE", [EXCLUDE, EXCLUDE], s.EXCLUDED),
        ("AT_LEAST_ONE_FAILED", [OK, FAIL], None),
        ("AT_LEAST_ONE_FAILED", [OK, OK], s.EXCLUDED),
        ("ALL_FAILED", [FAIL, FAIL], None),
        ("ALL_FAILED", [FAIL, OK], s.EXCLUDED),
    ],
)
def test_run_if(run_if: str | None, deps: list[str], verdict: str | None) -> None:
    assert decide(run_if, deps) == verdict


def test_condition_outcome_decides_the_branch() -> None:
    done = Finished(s.SUCCESS, outcome="true")
    assert classify(done, "true") == OK
    assert classify(done, "false") == EXCLUDE
    assert classify(Finished(s.TIMEDOUT), None) == FAIL


def test_recovered_failure_is_success_with_failures_and_failed_leaf_fails_the_run() -> None:
    tasks = [{"task_key": "a"}, {"task_key": "b", "depends_on": [{"task_key": "a"}], "run_if": "ALL_DONE"}]
    assert run_result(tasks, {"a": s.FAILED, "b": s.SUCCESS}) == s.SUCCESS_WITH_FAILURES
    assert run_result(tasks, {"a": s.SUCCESS, "b": s.FAILED}) == s.FAILED
    assert run_result(tasks, {"a": s.SUCCESS, "b": s.TIMEDOUT}) == s.TIMEDOUT
    assert run_result(tasks, {"a": s.SUCCESS, "b": s.EXCLUDED}) == s.SUCCESS
