"""Task graphs end to end: run_if, condition branches, task values, run_job, for_each, concurrency."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.service import jobs

from tests.local.runs.conftest import by_key, finish, results, wait_for

pytestmark = [pytest.mark.server, pytest.mark.engine]


def _dep(key: str, outcome: str | None = None) -> jobs.TaskDependency:
    return jobs.TaskDependency(task_key=key, outcome=outcome)


def _condition(key: str, left: str, op: jobs.ConditionTaskOp, right: str, **settings: Any) -> jobs.Task:
    return jobs.Task(
        task_key=key, condition_task=jobs.ConditionTask(left=left, op=op, right=right), **settings
    )


def test_condition_branches_run_if_and_leaf_results(w: Any, py: Any) -> None:
    eq = jobs.ConditionTaskOp.EQUAL_TO
    tasks = [
        _condition("check", "{{job.parameters.mode}}", eq, "full"),
        _condition("taken", "1", eq, "1", depends_on=[_dep("check", "true")]),
        _condition("not_taken", "1", eq, "1", depends_on=[_dep("check", "false")]),
        _condition(
            "join", "1", eq, "1", depends_on=[_dep("taken"), _dep("not_taken")], run_if=jobs.RunIf.NONE_FAILED
        ),
        py("breaks", "fail.py"),
        _condition("cleanup", "1", eq, "1", depends_on=[_dep("breaks")], run_if=jobs.RunIf.ALL_DONE),
        _condition("skipped", "1", eq, "1", depends_on=[_dep("breaks")]),
        _condition(
            "on_failure", "1", eq, "1", depends_on=[_dep("breaks")], run_if=jobs.RunIf.AT_LEAST_ONE_FAILED
        ),
    ]
    job = w.jobs.create(
        name="branches", tasks=tasks, parameters=[jobs.JobParameterDefinition(name="mode", default="full")]
    )
    run = finish(w, w.jobs.run_now(job.job_id).run_id)
    assert results(run) == {
        "check": "SUCCESS",
        "taken": "SUCCESS",
        "not_taken": "EXCLUDED",
        "join": "SUCCESS",
        "breaks": "FAILED",
        "cleanup": "SUCCESS",
        "skipped": "UPSTREAM_FAILED",
        "on_failure": "SUCCESS",
    }
    assert by_key(run)["check"].condition_task.outcome == "true"
    assert run.state.result_state == jobs.RunResultState.FAILED  # the leaf "skipped" did not run
    assert [p.value for p in run.job_parameters] == ["full"]
    incremental = finish(w, w.jobs.run_now(job.job_id, job_parameters={"mode": "incremental"}).run_id)
    assert results(incremental)["taken"] == "EXCLUDED" and results(incremental)["not_taken"] == "SUCCESS"


def test_task_values_and_resolved_values_flow_downstream(w: Any, py: Any) -> None:
    job = w.jobs.create(
        name="values",
        tasks=[
            py("produce", "setvalue.py", "rows", "42"),
            py("consume", "ok.py", "{{tasks.produce.values.rows}}", depends_on=[_dep("produce")]),
            _condition(
                "big",
                "{{tasks.produce.values.rows}}",
                jobs.ConditionTaskOp.GREATER_THAN,
                "40",
                depends_on=[_dep("produce")],
            ),
        ],
    )
    run = finish(w, w.jobs.run_now(job.job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS, run.state.state_message
    consume = by_key(run)["consume"]
    assert "args ['42']" in w.jobs.get_run_output(consume.run_id).logs
    assert by_key(run)["big"].condition_task.outcome == "true"
    resolved = w.jobs.get_run(run.run_id, include_resolved_values=True)
    assert by_key(resolved)["consume"].resolved_values.spark_python_task.parameters == ["42"]
    assert by_key(w.jobs.get_run(run.run_id))["consume"].resolved_values is None


def test_bad_reference_fails_the_task_as_invalid_configuration(w: Any, py: Any) -> None:
    run = finish(
        w,
        w.jobs.run_now(w.jobs.create(name="badref", tasks=[py("t", "ok.py", "{{job.nope}}")]).job_id).run_id,
    )
    task = run.tasks[0]
    assert task.state.result_state == jobs.RunResultState.FAILED
    assert task.status.termination_details.code == jobs.TerminationCodeCode.INVALID_RUN_CONFIGURATION


def test_run_job_task_starts_and_follows_a_child_run(w: Any, py: Any) -> None:
    child = w.jobs.create(
        name="child",
        tasks=[py("c", "ok.py", "{{job.parameters.who}}", "{{job.trigger.type}}")],
        parameters=[jobs.JobParameterDefinition(name="who", default="nobody")],
    )
    parent = w.jobs.create(
        name="parent",
        tasks=[
            jobs.Task(
                task_key="call",
                run_job_task=jobs.RunJobTask(job_id=child.job_id, job_parameters={"who": "{{job.name}}"}),
            )
        ],
    )
    run = finish(w, w.jobs.run_now(parent.job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.SUCCESS
    child_run_id = w.jobs.get_run_output(run.tasks[0].run_id).run_job_output.run_id
    child_run = w.jobs.get_run(child_run_id)
    assert (child_run.job_id, child_run.trigger) == (child.job_id, jobs.TriggerType.RUN_JOB_TASK)
    assert "args ['parent', 'RUN_JOB_TASK']" in w.jobs.get_run_output(child_run.tasks[0].run_id).logs


def test_a_failed_child_run_surfaces_its_error_in_the_parent(w: Any, py: Any) -> None:
    child = w.jobs.create(
        name="failing-child",
        tasks=[py("c", "fail.py")],
        parameters=[jobs.JobParameterDefinition(name="target-env", default="none")],
    )
    parent = w.jobs.create(
        name="parent-of-failure",
        parameters=[jobs.JobParameterDefinition(name="target-env", default="dev")],
        tasks=[
            jobs.Task(
                task_key="call",
                run_job_task=jobs.RunJobTask(
                    job_id=child.job_id, job_parameters={"target-env": "{{job.parameters.[target-env]}}"}
                ),
            )
        ],
    )
    run = finish(w, w.jobs.run_now(parent.job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.FAILED
    output = w.jobs.get_run_output(run.tasks[0].run_id)
    assert "Task c failed: ValueError: boom from the task" in output.error
    child_run = w.jobs.get_run(output.run_job_output.run_id)
    assert child_run.job_parameters[0].value == "dev"


def test_for_each_runs_iterations_with_concurrency_and_reports_them(w: Any, py: Any) -> None:
    nested = jobs.Task(
        task_key="each_iteration",
        condition_task=jobs.ConditionTask(left="{{input.n}}", op=jobs.ConditionTaskOp.LESS_THAN, right="10"),
    )
    nested_failing = py("each_py", "ok.py", "{{input}}")
    job = w.jobs.create(
        name="loop",
        tasks=[
            jobs.Task(
                task_key="each",
                for_each_task=jobs.ForEachTask(
                    inputs='[{"n": 1}, {"n": 2}, {"n": 3}]', task=nested, concurrency=2
                ),
            ),
            jobs.Task(
                task_key="each_bad",
                for_each_task=jobs.ForEachTask(inputs='["a", "b"]', task=py("inner", "fail.py")),
            ),
            jobs.Task(task_key="each_py", for_each_task=jobs.ForEachTask(inputs="[7]", task=nested_failing)),
        ],
    )
    run = finish(w, w.jobs.run_now(job.job_id).run_id)
    assert results(run) == {"each": "SUCCESS", "each_bad": "FAILED", "each_py": "SUCCESS"}
    each = w.jobs.get_run(by_key(run)["each"].run_id)
    assert len(each.iterations) == 3 and {i.task_key for i in each.iterations} == {"each_iteration"}
    stats = by_key(run)["each"].for_each_task.stats.task_run_stats
    assert (stats.total_iterations, stats.succeeded_iterations, stats.failed_iterations) == (3, 3, 0)
    bad = by_key(run)["each_bad"].for_each_task.stats
    assert bad.task_run_stats.failed_iterations == 2 and bad.error_message_stats[0].count == 2
    iteration = w.jobs.get_run(by_key(run)["each_py"].run_id).iterations[0]
    assert "args ['7']" in w.jobs.get_run_output(iteration.run_id).logs


def test_max_concurrent_runs_skips_without_queue_and_queues_with_it(w: Any, py: Any) -> None:
    job = w.jobs.create(name="one-at-a-time", tasks=[py("slow", "sleep.py", "600")], max_concurrent_runs=1)
    first = w.jobs.run_now(job.job_id).run_id
    skipped = finish(w, w.jobs.run_now(job.job_id).run_id)
    assert skipped.state.life_cycle_state == jobs.RunLifeCycleState.SKIPPED
    assert skipped.state.result_state == jobs.RunResultState.MAXIMUM_CONCURRENT_RUNS_REACHED
    queued = w.jobs.run_now(job.job_id, queue=jobs.QueueSettings(enabled=True)).run_id
    state = w.jobs.get_run(queued)
    assert state.state.life_cycle_state == jobs.RunLifeCycleState.QUEUED
    assert state.status.queue_details.code == jobs.QueueDetailsCodeCode.MAX_CONCURRENT_RUNS_REACHED
    w.jobs.cancel_run(first)
    wait_for(lambda: w.jobs.get_run(queued).state.life_cycle_state == jobs.RunLifeCycleState.RUNNING)
    w.jobs.cancel_all_runs(job_id=job.job_id)
    assert finish(w, queued).state.result_state == jobs.RunResultState.CANCELED
    assert finish(w, first).state.result_state == jobs.RunResultState.CANCELED


def test_only_runs_the_chosen_tasks(w: Any, py: Any) -> None:
    job = w.jobs.create(name="only", tasks=[py("a", "ok.py"), py("b", "fail.py", depends_on=[_dep("a")])])
    run = finish(w, w.jobs.run_now(job.job_id, only=["a"]).run_id)
    assert results(run) == {"a": "SUCCESS"}


def test_independent_tasks_run_at_the_same_time(w: Any, py: Any, tmp_path: Path) -> None:
    # Each task waits for the other to have started: run one after the other, both would fail.
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    job = w.jobs.create(name="parallel", tasks=[py("a", "meet.py", a, b), py("b", "meet.py", b, a)])
    run = finish(w, w.jobs.run_now(job.job_id).run_id, timeout=300)
    assert results(run) == {"a": "SUCCESS", "b": "SUCCESS"}
