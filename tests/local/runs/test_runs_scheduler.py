"""The job scheduler and task executions on their own: a real SQLite store in a temporary home,
and a task executor the test controls instead of worker processes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from brickyard.local.runs import control
from brickyard.local.runs import states as s
from brickyard.local.runs.dispatch import TaskDispatch
from brickyard.local.runs.execution import RunSetting
from brickyard.local.runs.identity import WorkspaceIdentity
from brickyard.local.runs.outcome import Outcome
from brickyard.local.runs.scheduler import INTERRUPTED, Orchestrator
from brickyard.local.runs.tasks import Attempt
from brickyard.local.runs.tokens import RunTokens
from brickyard.local.store.db import Database
from brickyard.local.store.jobs import JobStore
from brickyard.local.store.runs import JOB, TASK, RunStore

MASTER = "dapi-master"


class Executor:
    """Runs each attempt by the task's key: `behaviour[key](attempt, cancelled)`; records calls."""

    def __init__(self) -> None:
        self.behaviour: dict[str, Callable[[Attempt, threading.Event], Outcome]] = {}
        self.calls: list[tuple[str, int]] = []
        self.tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, attempt: Attempt, cancelled: threading.Event) -> Outcome:
        key = attempt.task["task_key"]
        with self._lock:
            self.calls.append((key, attempt.number))
            self.tokens[key] = attempt.run.token
        attempt.mark_running()
        act = self.behaviour.get(key)
        return act(attempt, cancelled) if act else Outcome(s.SUCCESS)


class Scheduler:
    def __init__(self, root: Path) -> None:
        self.db = Database(root / "metadata.db")
        self.runs = RunStore(self.db)
        self.jobs = JobStore(self.db)
        self.tokens = RunTokens(MASTER)
        self.executor = Executor()
        identity = WorkspaceIdentity("http://127.0.0.1:1", "1234", "tester@brickyard.local")
        dispatch = TaskDispatch(
            self.executor,
            {
                "condition_task": control.condition,
                "run_job_task": control.run_job,
                "for_each_task": control.for_each,
            },
        )
        setting = RunSetting(
            self.runs, root / "runs", identity, dispatch, self.tokens, self.db.release_thread
        )
        self.orchestrator = Orchestrator(setting, self.jobs)

    def job(self, *tasks: dict[str, Any], **settings: Any) -> int:
        return self.jobs.create({"name": "j", "tasks": list(tasks), **settings}, "tester").job_id

    def run(self, job_id: int, **body: Any) -> int:
        return int(self.orchestrator.run_now({"job_id": job_id, **body})["run_id"])

    def state(self, run_id: int) -> dict[str, Any]:
        state: dict[str, Any] = self.runs.get(run_id).doc["state"]
        return state

    def wait(self, run_id: int, states: tuple[str, ...] = s.FINAL, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while (state := self.state(run_id))["life_cycle_state"] not in states:
            assert time.monotonic() < deadline, f"run {run_id} stayed {state}"
            time.sleep(0.01)
        return state

    def tasks(self, run_id: int) -> dict[str, dict[str, Any]]:
        """The last attempt of each task of a run."""
        found: dict[str, dict[str, Any]] = {}
        for row in self.runs.children(run_id):
            if row.kind == TASK:
                found[row.doc["task_key"]] = row.doc
        return found


@pytest.fixture
def sched(tmp_path: Path) -> Iterator[Scheduler]:
    scheduler = Scheduler(tmp_path)
    yield scheduler
    scheduler.orchestrator.shutdown(timeout=10)
    scheduler.db.close()


def task(key: str, *after: str, **settings: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"task_key": key, "spark_python_task": {"python_file": f"/{key}.py"}, **settings}
    if after:
        doc["depends_on"] = [{"task_key": k} for k in after]
    return doc


def blocked_until(release: threading.Event) -> Callable[[Attempt, threading.Event], Outcome]:
    def act(attempt: Attempt, cancelled: threading.Event) -> Outcome:
        while not release.wait(0.01):
            if cancelled.is_set():
                return Outcome(attempt.cancel_result(), message="Run was canceled.")
        return Outcome(s.SUCCESS)

    return act


def test_tasks_run_in_dependency_order_and_the_store_keeps_every_state(sched: Scheduler) -> None:
    run_id = sched.run(sched.job(task("c", "a", "b"), task("a"), task("b", "a")))
    state = sched.wait(run_id)
    assert (state["life_cycle_state"], state["result_state"]) == (s.TERMINATED, s.SUCCESS)
    assert [key for key, _ in sched.executor.calls] == ["a", "b", "c"]
    tasks = sched.tasks(run_id)
    assert {k: t["state"]["result_state"] for k, t in tasks.items()} == {
        "a": "SUCCESS",
        "b": "SUCCESS",
        "c": "SUCCESS",
    }
    assert all(t["run_page_url"].startswith("http://127.0.0.1:1/#job/") for t in tasks.values())
    assert sched.runs.get(run_id).doc["creator_user_name"] == "tester@brickyard.local"
    assert sched.orchestrator.active_runs() == 0


def test_a_failed_task_fails_the_run_and_skips_its_dependents_after_its_retries(sched: Scheduler) -> None:
    sched.executor.behaviour["a"] = lambda attempt, _: Outcome.failed(f"boom {attempt.number}")
    run_id = sched.run(sched.job(task("a", max_retries=1), task("b", "a")))
    state = sched.wait(run_id)
    assert state["result_state"] == s.FAILED
    assert state["state_message"] == "Task a failed with message: boom 1."
    assert sched.executor.calls == [("a", 0), ("a", 1)]
    assert sched.tasks(run_id)["b"]["state"]["result_state"] == s.UPSTREAM_FAILED


def test_a_job_at_its_limit_queues_a_run_when_asked_and_skips_it_otherwise(sched: Scheduler) -> None:
    release = threading.Event()
    sched.executor.behaviour["a"] = blocked_until(release)
    job_id = sched.job(task("a"), max_concurrent_runs=1)
    first = sched.run(job_id)
    sched.wait(first, (s.RUNNING,))
    skipped = sched.run(job_id)
    queued = sched.run(job_id, queue={"enabled": True})
    assert sched.state(skipped)["life_cycle_state"] == s.SKIPPED
    assert sched.state(skipped)["result_state"] == s.MAXIMUM_CONCURRENT_RUNS_REACHED
    assert sched.state(queued)["life_cycle_state"] == s.QUEUED
    release.set()
    assert sched.wait(first)["result_state"] == s.SUCCESS
    assert sched.wait(queued)["result_state"] == s.SUCCESS
    assert "queue_duration" in sched.runs.get(queued).doc


def test_cancel_stops_the_running_task_and_the_tasks_after_it(sched: Scheduler) -> None:
    sched.executor.behaviour["a"] = blocked_until(threading.Event())
    run_id = sched.run(sched.job(task("a"), task("b", "a")))
    sched.wait(run_id, (s.RUNNING,))
    deadline = time.monotonic() + 30
    while not sched.executor.calls:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    sched.orchestrator.cancel(run_id)
    state = sched.wait(run_id)
    assert state["result_state"] == s.CANCELED
    tasks = sched.tasks(run_id)
    assert tasks["a"]["state"]["result_state"] == s.CANCELED
    assert tasks["b"]["state"]["result_state"] == s.UPSTREAM_CANCELED


def test_a_run_job_task_runs_its_child_job_through_the_same_scheduler(sched: Scheduler) -> None:
    child = sched.job(task("inner"))
    parent = sched.job({"task_key": "call", "run_job_task": {"job_id": child}})
    run_id = sched.run(parent)
    assert sched.wait(run_id)["result_state"] == s.SUCCESS
    child_runs, _ = sched.runs.page(child, False, False, None, None, None, 0, 10)
    assert len(child_runs) == 1
    assert child_runs[0].doc["trigger"] == "RUN_JOB_TASK"
    assert child_runs[0].doc["trigger_info"] == {"run_id": sched.tasks(run_id)["call"]["run_id"]}


def test_a_for_each_task_runs_its_task_once_per_input_as_iteration_runs(sched: Scheduler) -> None:
    def by_input(attempt: Attempt, _: threading.Event) -> Outcome:
        return Outcome.failed("odd one out") if attempt.execution.item == 2 else Outcome(s.SUCCESS)

    sched.executor.behaviour["inner"] = by_input
    loop = {
        "task_key": "loop",
        "for_each_task": {"inputs": "[1, 2, 3]", "concurrency": 2, "task": task("inner")},
    }
    run_id = sched.run(sched.job(loop))
    assert sched.wait(run_id)["result_state"] == s.FAILED
    looped = sched.tasks(run_id)["loop"]
    assert looped["state"]["state_message"] == "1 of 3 iterations failed."
    stats = looped["for_each_task"]["stats"]["task_run_stats"]
    assert (stats["total_iterations"], stats["succeeded_iterations"], stats["failed_iterations"]) == (3, 2, 1)
    iterations = sched.runs.children(looped["run_id"])
    assert sorted(r.doc["state"]["result_state"] for r in iterations) == ["FAILED", "SUCCESS", "SUCCESS"]


def test_each_run_has_its_own_token_that_ends_with_the_run(sched: Scheduler) -> None:
    release = threading.Event()
    sched.executor.behaviour["a"] = blocked_until(release)
    run_id = sched.run(sched.job(task("a")))
    deadline = time.monotonic() + 30
    while "a" not in sched.executor.tokens:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    token = sched.executor.tokens["a"]
    assert token and token != MASTER and sched.tokens.accepts(token)
    release.set()
    sched.wait(run_id)
    assert not sched.tokens.accepts(token)
    assert sched.tokens.accepts(MASTER) and sched.tokens.active() == 0


def test_runs_left_in_progress_by_a_stopped_server_end_as_internal_errors(sched: Scheduler) -> None:
    running = {"run_id": 7, "job_id": 1, "end_time": 0, **s.state_docs(s.RUNNING)}
    sched.runs.save(JOB, dict(running), None, 7)
    sched.runs.save(TASK, {**running, "run_id": 8, "task_key": "a"}, 7, 7)
    sched.runs.save(JOB, {"run_id": 9, "job_id": 1, **s.state_docs(s.TERMINATED, s.SUCCESS)}, None, 9)

    assert sched.orchestrator.recover() == 2
    for run_id in (7, 8):
        state = sched.state(run_id)
        assert (state["life_cycle_state"], state["result_state"]) == (s.INTERNAL_ERROR, s.FAILED)
        assert state["state_message"] == INTERRUPTED
        assert sched.runs.get(run_id).doc["end_time"] > 0
    assert INTERRUPTED == "The local workspace stopped while this run was in progress."
    assert sched.state(9)["result_state"] == s.SUCCESS
