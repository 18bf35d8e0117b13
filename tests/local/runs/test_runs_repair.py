"""`runs/repair` through `w.jobs.repair_run`: failed tasks run again in the same run, the others
keep their result, and each repair is an entry of the run's repair history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.errors import DatabricksError
from databricks.sdk.service import jobs

from tests.local.runs.conftest import finish, results


def test_repair_reruns_failed_tasks_then_named_ones(w: Any, py: Any, tmp_path: Path) -> None:
    marker = str(tmp_path / "tried")
    first = py("first", "flaky.py", marker)
    then = py("then", "ok.py", "after", depends_on=[jobs.TaskDependency("first")])
    side = py("side", "ok.py", "alone")
    job = w.jobs.create(name="repair", tasks=[first, then, side])
    run = finish(w, w.jobs.run_now(job.job_id).run_id)
    assert run.state.result_state == jobs.RunResultState.FAILED
    assert results(run) == {"first": "FAILED", "then": "UPSTREAM_FAILED", "side": "SUCCESS"}
    side_run = {t.task_key: t.run_id for t in run.tasks}["side"]

    with pytest.raises(DatabricksError, match="rerun_tasks"):
        w.jobs.repair_run(run.run_id)
    repair_id = w.jobs.repair_run(run.run_id, rerun_all_failed_tasks=True).response.repair_id
    repaired = finish(w, run.run_id)
    assert repaired.run_id == run.run_id
    assert repaired.state.result_state == jobs.RunResultState.SUCCESS
    assert results(repaired) == {"first": "SUCCESS", "then": "SUCCESS", "side": "SUCCESS"}
    assert len(repaired.tasks) == 3  # the replaced task runs are in the history, not in `tasks`
    current = {t.task_key: t.run_id for t in repaired.tasks}
    assert current["side"] == side_run
    history = repaired.repair_history
    assert [h.type.value for h in history] == ["ORIGINAL", "REPAIR"]
    assert history[0].state.result_state == jobs.RunResultState.FAILED
    assert history[1].id == repair_id and history[1].state.result_state == jobs.RunResultState.SUCCESS
    assert sorted(history[1].task_run_ids) == sorted([current["first"], current["then"]])
    assert w.jobs.get_run_output(current["first"]).logs.strip().endswith("second attempt works")

    with pytest.raises(DatabricksError, match="latest_repair_id"):
        w.jobs.repair_run(run.run_id, rerun_tasks=["then"])
    again = w.jobs.repair_run(run.run_id, rerun_tasks=["then"], latest_repair_id=repair_id).response.repair_id
    twice = finish(w, run.run_id)
    assert [h.type.value for h in twice.repair_history] == ["ORIGINAL", "REPAIR", "REPAIR"]
    assert twice.repair_history[-1].id == again
    now = {t.task_key: t.run_id for t in twice.tasks}
    assert now["first"] == current["first"] and now["then"] != current["then"]
    assert twice.state.result_state == jobs.RunResultState.SUCCESS


def test_an_active_run_or_an_unknown_task_cannot_be_repaired(w: Any, py: Any) -> None:
    job = w.jobs.create(name="busy", tasks=[py("slow", "sleep.py", "60")])
    run_id = w.jobs.run_now(job.job_id).run_id
    try:
        with pytest.raises(DatabricksError, match="still active"):
            w.jobs.repair_run(run_id, rerun_tasks=["slow"])
    finally:
        w.jobs.cancel_run(run_id)
    finish(w, run_id)
    with pytest.raises(DatabricksError, match="nope"):
        w.jobs.repair_run(run_id, rerun_tasks=["nope"])
