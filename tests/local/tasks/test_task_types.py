"""Which task types a worker runs, and the clear failures for the ones it cannot."""

from __future__ import annotations

import time

import pytest

from brickyard.errors import TaskError
from brickyard.local.tasks import task_type
from tests.local.tasks.task_harness import TaskWorkspace


def test_runnable_task_types_are_recognised() -> None:
    assert task_type({"notebook_task": {}}) == "notebook_task"
    assert task_type({"dbt_task": {"commands": []}, "libraries": []}) == "dbt_task"
    with pytest.raises(TaskError, match="carried out by the job scheduler"):
        task_type({"condition_task": {"op": "EQUAL_TO"}})
    with pytest.raises(TaskError, match="unknown task type gen_ai_compute_task"):
        task_type({"gen_ai_compute_task": {}})
    with pytest.raises(TaskError, match="no \\*_task settings"):
        task_type({"task_key": "x"})


def test_a_jar_task_fails_clearly_without_opening_a_session(offline_workspace: TaskWorkspace) -> None:
    outcome = offline_workspace.run({"task_key": "jar", "spark_jar_task": {"main_class_name": "com.x.Main"}})

    assert outcome.returncode == 1
    assert outcome.result.state == "FAILED"
    assert outcome.result.error == (
        "spark_jar_task needs a JVM, which the local workspace does not have; run this job on a Databricks "
        "workspace, or make it a spark_python_task or python_wheel_task"
    )
    assert "Error: spark_jar_task needs a JVM" in outcome.stderr


def test_an_unreachable_engine_fails_fast_and_says_where(offline_workspace: TaskWorkspace) -> None:
    offline_workspace.write("/Users/me/nb", "# Databricks notebook source\nprint(1)\n")

    started = time.monotonic()
    outcome = offline_workspace.run(
        {"notebook_task": {"notebook_path": "/Users/me/nb"}},
        spark_remote="sc://127.0.0.1:9/;token=tok-123-secret",
        token="dapi-local-token",
    )

    assert time.monotonic() - started < 30
    assert outcome.result.state == "FAILED"
    assert (outcome.result.error or "").startswith(
        "the Spark engine at sc://127.0.0.1:9/;token=[REDACTED] is not reachable"
    )
    assert "tok-123-secret" not in outcome.logs
