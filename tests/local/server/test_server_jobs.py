"""Jobs API definitions through the SDK: create, get (paged in 2.2), list, update, reset, delete."""

from __future__ import annotations

from typing import Any

import pytest
from databricks.sdk.errors import InvalidParameterValue, NotFound, ResourceDoesNotExist
from databricks.sdk.service import jobs

pytestmark = pytest.mark.server


def _task(key: str, deps: tuple[str, ...] = ()) -> jobs.Task:
    return jobs.Task(
        task_key=key,
        notebook_task=jobs.NotebookTask(notebook_path="/Shared/nb"),
        depends_on=[jobs.TaskDependency(task_key=d) for d in deps] or None,
    )


def test_created_job_reads_back_with_defaults(w: Any) -> None:
    job_id = w.jobs.create(name="defaults", tasks=[_task("a")], tags={"team": "x"}).job_id
    job = w.jobs.get(job_id)
    assert job.creator_user_name == "tester@brickyard.local" and job.created_time > 0
    settings = job.settings
    assert (settings.name, settings.max_concurrent_runs, settings.timeout_seconds) == ("defaults", 1, 0)
    assert settings.format == jobs.Format.MULTI_TASK and settings.tags == {"team": "x"}
    assert [t.task_key for t in settings.tasks] == ["a"]


def test_get_pages_long_task_lists_in_2_2_and_the_sdk_joins_them(w: Any) -> None:
    tasks = [_task(f"t{i:03d}") for i in range(130)]
    job_id = w.jobs.create(name="long", tasks=tasks).job_id
    first = w.api_client.do("GET", "/api/2.2/jobs/get", query={"job_id": job_id})
    assert len(first["settings"]["tasks"]) == 100 and first["next_page_token"]
    assert len(w.jobs.get(job_id).settings.tasks) == 130
    whole = w.api_client.do("GET", "/api/2.1/jobs/get", query={"job_id": job_id})
    assert len(whole["settings"]["tasks"]) == 130 and "next_page_token" not in whole


def test_list_pages_filters_by_name_and_hides_tasks_unless_expanded(w: Any) -> None:
    made = {w.jobs.create(name=f"lst-{i}", tasks=[_task("a")]).job_id for i in range(5)}
    listed = [j.job_id for j in w.jobs.list(limit=2)]
    assert made <= set(listed) and len(listed) == len(set(listed))
    page = w.api_client.do("GET", "/api/2.2/jobs/list", query={"limit": 2})
    assert page["has_more"] and len(page["jobs"]) == 2 and "tasks" not in page["jobs"][0]["settings"]
    named = list(w.jobs.list(name="LST-3", expand_tasks=True))
    assert len(named) == 1 and named[0].settings.tasks[0].task_key == "a"


def test_update_merges_tasks_by_key_and_reset_replaces(w: Any) -> None:
    job_id = w.jobs.create(name="upd", tasks=[_task("a"), _task("b", ("a",))], max_concurrent_runs=3).job_id
    w.jobs.update(
        job_id,
        new_settings=jobs.JobSettings(tasks=[_task("c", ("a",))], timeout_seconds=60),
        fields_to_remove=["tasks/b"],
    )
    settings = w.jobs.get(job_id).settings
    assert sorted(t.task_key for t in settings.tasks) == ["a", "c"]
    assert (settings.timeout_seconds, settings.max_concurrent_runs) == (60, 3)
    w.jobs.reset(job_id, new_settings=jobs.JobSettings(name="fresh", tasks=[_task("z")]))
    settings = w.jobs.get(job_id).settings
    assert (settings.name, [t.task_key for t in settings.tasks], settings.max_concurrent_runs) == (
        "fresh",
        ["z"],
        1,
    )


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        ([_task("a"), _task("a")], "unique"),
        ([_task("a", ("nope",))], "not a task of this job"),
        ([_task("a", ("b",)), _task("b", ("a",))], "cycle"),
        ([jobs.Task(task_key="empty")], "needs one task type"),
    ],
)
def test_invalid_task_graphs_are_refused(w: Any, tasks: list[jobs.Task], message: str) -> None:
    with pytest.raises(InvalidParameterValue, match=message):
        w.jobs.create(name="bad", tasks=tasks)


def test_missing_job_is_resource_does_not_exist(w: Any) -> None:
    job_id = w.jobs.create(name="gone", tasks=[_task("a")]).job_id
    w.jobs.delete(job_id)
    with pytest.raises(ResourceDoesNotExist):
        w.jobs.get(job_id)
    with pytest.raises(InvalidParameterValue):
        w.jobs.delete(job_id)
    with pytest.raises(NotFound):
        w.jobs.get_run(999_999_999)
