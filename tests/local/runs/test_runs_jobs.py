"""Job runs end to end through the SDK: workers, results, output, retries, timeouts, cancel."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.errors import InvalidParameterValue, NotFound
from databricks.sdk.service import jobs

from tests.local.runs.conftest import by_key, finish, logs_of, results, wait_for

pytestmark = [pytest.mark.server, pytest.mark.engine]


def test_run_now_result_waits_and_output_carries_logs_and_references(w: Any, py: Any) -> None:
    job = w.jobs.create(
        name="ok", tasks=[py("main", "ok.py", "{{job.id}}", "{{job.run_id}}", "{{task.run_id}}")]
    )
    run = w.jobs.run_now(job.job_id).result()
    assert run.state.life_cycle_state == jobs.RunLifeCycleState.TERMINATED
    assert run.state.result_state == jobs.RunResultState.SUCCESS
    assert run.status.state == jobs.RunLifecycleStateV2State.TERMINATED
    assert run.status.termination_details.code == jobs.TerminationCodeCode.SUCCESS
    assert (run.run_type, run.trigger) == (jobs.RunType.JOB_RUN, jobs.TriggerType.ONE_TIME)
    task = run.tasks[0]
    assert task.end_time >= task.start_time > 0
    output = w.jobs.get_run_output(task.run_id)
    assert f"args ['{job.job_id}', '{run.run_id}', '{task.run_id}']" in output.logs
    assert output.metadata.tasks[0].task_key == "main"
    assert w.jobs.get_run_output(run.run_id).logs == output.logs


def test_failed_task_reports_error_trace_and_message(w: Any, py: Any) -> None:
    run = finish(w, w.jobs.run_now(w.jobs.create(name="fail", tasks=[py("bad", "fail.py")]).job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.FAILED
    assert "boom from the task" in run.state.state_message
    assert run.status.termination_details.code == jobs.TerminationCodeCode.RUN_EXECUTION_ERROR
    output = w.jobs.get_run_output(run.tasks[0].run_id)
    assert output.error == "ValueError: boom from the task"
    assert "fail.py" in output.error_trace and "boom from the task" in output.logs


def test_retry_makes_a_new_attempt_run(w: Any, py: Any, tmp_path: Path) -> None:
    task = py("flaky", "flaky.py", str(tmp_path / "marker"), max_retries=2, min_retry_interval_millis=300)
    run = finish(w, w.jobs.run_now(w.jobs.create(name="flaky", tasks=[task]).job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS
    attempts = sorted(run.tasks, key=lambda t: t.attempt_number)
    assert [t.attempt_number for t in attempts] == [0, 1]
    assert [t.state.result_state for t in attempts] == [
        jobs.RunResultState.FAILED,
        jobs.RunResultState.SUCCESS,
    ]
    assert attempts[0].run_id != attempts[1].run_id
    assert attempts[1].start_time - attempts[0].end_time >= 300


def test_task_timeout_stops_the_worker_and_is_not_retried(w: Any, py: Any) -> None:
    task = py("slow", "sleep.py", "600", timeout_seconds=1, max_retries=1)
    started = time.monotonic()
    run = finish(w, w.jobs.run_now(w.jobs.create(name="timeout", tasks=[task]).job_id).run_id, timeout=180)
    assert time.monotonic() - started < 120  # far less than the task's sleep, even on a busy machine
    assert run.state.result_state == jobs.RunResultState.TIMEDOUT
    assert len(run.tasks) == 1 and run.tasks[0].state.result_state == jobs.RunResultState.TIMEDOUT


def test_job_timeout_cancels_what_runs(w: Any, py: Any) -> None:
    job = w.jobs.create(name="job-timeout", timeout_seconds=1, tasks=[py("slow", "sleep.py", "600")])
    run = finish(w, w.jobs.run_now(job.job_id).run_id, timeout=180)
    assert run.state.result_state == jobs.RunResultState.TIMEDOUT
    assert run.state.user_cancelled_or_timedout
    assert run.tasks[0].state.result_state == jobs.RunResultState.TIMEDOUT


def test_cancel_ends_a_running_task_and_its_dependents(w: Any, py: Any) -> None:
    job = w.jobs.create(
        name="cancel",
        tasks=[
            py("slow", "sleep.py", "600"),
            py("after", "ok.py", depends_on=[jobs.TaskDependency(task_key="slow")]),
        ],
    )
    run_id = w.jobs.run_now(job.job_id).run_id
    wait_for(lambda: "sleeping" in logs_of(w, run_id), timeout=120)
    started = time.monotonic()
    w.jobs.cancel_run(run_id)
    run = finish(w, run_id, timeout=180)
    assert time.monotonic() - started < 120  # far less than the task's sleep, even on a busy machine
    assert run.state.result_state == jobs.RunResultState.CANCELED
    assert results(run) == {"slow": "CANCELED", "after": "UPSTREAM_CANCELED"}
    assert run.status.termination_details.code == jobs.TerminationCodeCode.USER_CANCELED


def test_notebook_exit_value_and_legacy_notebook_params(w: Any, scripts: str) -> None:
    task = jobs.Task(
        task_key="nb",
        notebook_task=jobs.NotebookTask(notebook_path=f"{scripts}/nb", base_parameters={"v": "base"}),
    )
    job = w.jobs.create(name="nb", tasks=[task])
    run = finish(w, w.jobs.run_now(job.job_id, notebook_params={"v": "given"}).run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS
    assert run.overriding_parameters.notebook_params == {"v": "given"}
    output = w.jobs.get_run_output(run.tasks[0].run_id)
    assert output.notebook_output.result == "exit-given"


def test_one_time_run_is_a_submit_run_of_a_hidden_job(w: Any, py: Any) -> None:
    before = {j.job_id for j in w.jobs.list()}
    run = finish(w, w.jobs.submit(run_name="once", tasks=[py("t", "ok.py", "{{job.trigger.type}}")]).run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS
    assert (run.run_type, run.run_name) == (jobs.RunType.SUBMIT_RUN, "once")
    assert run.job_id not in before and {j.job_id for j in w.jobs.list()} == before
    assert "ONE_TIME" in w.jobs.get_run_output(run.tasks[0].run_id).logs
    again = w.jobs.submit(run_name="once", tasks=[py("t", "ok.py")], idempotency_token="tok-1").run_id
    assert w.jobs.submit(run_name="once", tasks=[py("t", "ok.py")], idempotency_token="tok-1").run_id == again
    finish(w, again)


def test_runs_list_pages_filters_and_delete(w: Any, py: Any) -> None:
    job = w.jobs.create(name="listing", tasks=[py("t", "ok.py")], max_concurrent_runs=5)
    run_ids = [w.jobs.run_now(job.job_id).run_id for _ in range(3)]
    for run_id in run_ids:
        finish(w, run_id)
    listed = [r.run_id for r in w.jobs.list_runs(job_id=job.job_id, limit=2)]
    assert listed == sorted(run_ids, reverse=True)
    assert list(w.jobs.list_runs(job_id=job.job_id, active_only=True)) == []
    expanded = next(iter(w.jobs.list_runs(job_id=job.job_id, expand_tasks=True, completed_only=True)))
    assert expanded.tasks[0].task_key == "t"
    w.jobs.delete_run(run_ids[0])
    with pytest.raises(NotFound):
        w.jobs.get_run(run_ids[0])


def test_multi_task_output_needs_a_task_run_and_unknown_parameters_are_refused(w: Any, py: Any) -> None:
    job = w.jobs.create(
        name="two",
        tasks=[py("a", "ok.py"), py("b", "ok.py")],
        parameters=[jobs.JobParameterDefinition(name="p", default="1")],
    )
    with pytest.raises(InvalidParameterValue, match="not defined"):
        w.jobs.run_now(job.job_id, job_parameters={"q": "2"})
    run = finish(w, w.jobs.run_now(job.job_id).run_id)
    with pytest.raises(InvalidParameterValue, match="multiple tasks"):
        w.jobs.get_run_output(run.run_id)
    assert set(by_key(run)) == {"a", "b"}


def test_a_pipeline_task_of_a_missing_pipeline_fails_with_a_clear_message(w: Any) -> None:
    task = jobs.Task(task_key="dlt", pipeline_task=jobs.PipelineTask(pipeline_id="abc"))
    run = finish(w, w.jobs.run_now(w.jobs.create(name="pipe", tasks=[task]).job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.FAILED
    assert "pipeline abc was not found" in w.jobs.get_run_output(run.tasks[0].run_id).error
