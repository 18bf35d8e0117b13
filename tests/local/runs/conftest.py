"""Helpers for job run tests: scripts in the workspace, and a poll that does not sleep a second.

`run_now(...).result()` polls with 1-10 s sleeps; most tests wait with `finish()` instead, which
polls every 50 ms, so the suite measures the orchestrator rather than the SDK's back-off.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import pytest
from databricks.sdk.service import jobs
from databricks.sdk.service.workspace import ImportFormat

from tests.local.conftest import USER

SCRIPTS = {
    "ok.py": "import sys\nprint('args', sys.argv[1:])\n",
    "fail.py": "raise ValueError('boom from the task')\n",
    "sleep.py": "import sys, time\nprint('sleeping', flush=True)\ntime.sleep(float(sys.argv[1]))\n",
    "meet.py": (
        "import pathlib, sys, time\n"
        "mine, other = map(pathlib.Path, sys.argv[1:3])\n"
        "mine.touch()\n"
        "deadline = time.monotonic() + 120\n"
        "while not other.exists():\n"
        "    if time.monotonic() > deadline:\n"
        "        raise SystemExit('the other task never ran at the same time')\n"
        "    time.sleep(0.05)\n"
    ),
    "flaky.py": (
        "import os, sys\n"
        "marker = sys.argv[1]\n"
        "if not os.path.exists(marker):\n"
        "    open(marker, 'w').close()\n"
        "    raise RuntimeError('first attempt fails')\n"
        "print('second attempt works')\n"
    ),
    "setvalue.py": (
        "import sys\n"
        "from databricks.sdk.runtime import dbutils\n"
        "dbutils.jobs.taskValues.set(key=sys.argv[1], value=int(sys.argv[2]))\n"
    ),
    "remote.py": (
        "import os\n"
        "from pyspark.sql import SparkSession\n"
        "spark = SparkSession.builder.getOrCreate()\n"
        "print('remote', os.environ['SPARK_REMOTE'], spark.range(4).count())\n"
    ),
    "sql.py": (
        "import sys\n"
        "from pyspark.sql import SparkSession\n"
        "spark = SparkSession.builder.getOrCreate()\n"
        "for statement in sys.argv[1:]:\n"
        "    print(spark.sql(statement).collect())\n"
    ),
}
NOTEBOOK = "# Databricks notebook source\nv = dbutils.widgets.get('v')\nprint('nb', v)\ndbutils.notebook.exit('exit-' + v)\n"
FINAL = ("TERMINATED", "SKIPPED", "INTERNAL_ERROR")


@pytest.fixture(scope="session")
def scripts(w: Any) -> str:
    folder = f"/Users/{USER}/scripts"
    w.workspace.mkdirs(folder)
    for name, text in SCRIPTS.items():
        w.workspace.upload(
            f"{folder}/{name}", io.BytesIO(text.encode()), format=ImportFormat.AUTO, overwrite=True
        )
    w.workspace.upload(
        f"{folder}/nb.py", io.BytesIO(NOTEBOOK.encode()), format=ImportFormat.AUTO, overwrite=True
    )
    return f"/Workspace{folder}"


@pytest.fixture(scope="session")
def py(scripts: str) -> Callable[..., jobs.Task]:
    def make(key: str, script: str, *params: str, **settings: Any) -> jobs.Task:
        task = jobs.SparkPythonTask(python_file=f"{scripts}/{script}", parameters=list(params) or None)
        return jobs.Task(task_key=key, spark_python_task=task, **settings)

    return make


def finish(w: Any, run_id: int, timeout: float = 90.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = w.jobs.get_run(run_id)
        if run.state.life_cycle_state.value in FINAL:
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish in {timeout}s: {run.state}")


def wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def logs_of(w: Any, run_id: int) -> str:
    """The first task's logs so far ("" before the task exists)."""
    tasks = w.jobs.get_run(run_id).tasks
    return (w.jobs.get_run_output(tasks[0].run_id).logs or "") if tasks else ""


def by_key(run: Any) -> dict[str, Any]:
    """The latest attempt of each task."""
    latest: dict[str, Any] = {}
    for task in run.tasks or []:
        if task.task_key not in latest or task.attempt_number > latest[task.task_key].attempt_number:
            latest[task.task_key] = task
    return latest


def results(run: Any) -> dict[str, str]:
    return {k: t.state.result_state.value for k, t in by_key(run).items()}
