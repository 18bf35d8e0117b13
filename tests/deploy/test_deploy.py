"""Deploying, redeploying, changing and destroying bundles on the local workspace."""

from __future__ import annotations

import io
import json
import threading
from typing import Any

import pytest

from brickyard.errors import ApplyError, BrickyardError, DeployLockedError, StateError
from brickyard.plan.model import Action
from tests.deploy.conftest import USER, Project

NOTEBOOK = """
# Databricks notebook source
dbutils.widgets.text("who", "nobody")
print("hello " + dbutils.widgets.get("who"))
# COMMAND ----------
dbutils.notebook.exit("greeted " + dbutils.widgets.get("who"))
"""

BUNDLE = """
bundle:
  name: NAME
targets:
  local:
    default: true
    mode: development
resources:
  jobs:
    greet:
      name: greet
      tasks:
        - task_key: hello
          notebook_task:
            notebook_path: ./notebooks/greet.py
            base_parameters: {who: world}
    report:
      name: report
      tasks:
        - task_key: summarize
          spark_python_task:
            python_file: ./jobs/report.py
"""


def _project(project: Project, bundle: str = BUNDLE) -> Project:
    project.write(
        {
            "databricks.yml": bundle,
            "notebooks/greet.py": NOTEBOOK,
            "jobs/report.py": "print('report')\n",
            "README.md": "a bundle\n",
        }
    )
    return project


def test_first_deploy_creates_everything_and_a_redeploy_writes_nothing(project: Project, client: Any) -> None:
    from databricks.sdk.service.workspace import Language, ObjectType

    report = _project(project).deploy()
    assert sorted(report.created) == ["jobs.greet", "jobs.report"]
    assert report.files_uploaded == 4
    state = project.state()
    job = client.jobs.get(int(state.resources["jobs.greet"].id))
    assert job.settings.name == "[dev tester] greet"
    assert job.settings.tasks[0].notebook_task.notebook_path == f"{project.files_path}/notebooks/greet"
    status = client.workspace.get_status(f"{project.files_path}/notebooks/greet")
    assert status.object_type == ObjectType.NOTEBOOK and status.language == Language.PYTHON
    assert client.workspace.get_status(f"{project.files_path}/jobs/report.py").object_type == ObjectType.FILE

    again = project.deploy()
    assert again.writes == 0 and not again.created and not again.updated
    assert project.state().serial == state.serial


def test_plan_has_no_side_effects_and_names_changed_fields(project: Project, client: Any) -> None:
    from databricks.sdk.errors import NotFound

    plan = _project(project).plan()
    assert {r.address: r.action for r in plan.resources} == {
        "jobs.greet": Action.CREATE,
        "jobs.report": Action.CREATE,
    }
    with pytest.raises(NotFound):
        client.workspace.get_status(project.files_path)

    project.deploy()
    project.write({"databricks.yml": BUNDLE.replace("{who: world}", "{who: everyone}")})
    plan = project.plan()
    changes = {r.address: r for r in plan.resources}
    assert changes["jobs.report"].action is Action.UNCHANGED
    assert changes["jobs.greet"].action is Action.UPDATE
    assert changes["jobs.greet"].changed_fields == ("tasks[0].notebook_task.base_parameters.who",)
    assert [f.relative for f in plan.changed_files()] == ["databricks.yml"]

    report = project.deploy()
    assert report.updated == ["jobs.greet"] and report.files_uploaded == 1
    job = client.jobs.get(int(project.state().resources["jobs.greet"].id))
    assert job.settings.tasks[0].notebook_task.base_parameters == {"who": "everyone"}


def test_one_changed_file_is_one_upload(project: Project, client: Any) -> None:
    _project(project).deploy()
    project.write({"jobs/report.py": "print('report v2')\n"})
    report = project.deploy()
    assert report.files_uploaded == 1 and report.artifacts_uploaded == 0 and not report.updated
    with client.workspace.download(f"{project.files_path}/jobs/report.py") as handle:
        assert handle.read() == b"print('report v2')\n"


def test_renamed_task_and_deleted_file(project: Project, client: Any) -> None:
    _project(project).deploy()
    project.write({"databricks.yml": BUNDLE.replace("task_key: summarize", "task_key: summarise")})
    (project.root / "README.md").unlink()
    report = project.deploy()
    assert report.updated == ["jobs.report"] and report.files_deleted == 1
    job = client.jobs.get(int(project.state().resources["jobs.report"].id))
    assert [t.task_key for t in job.settings.tasks] == ["summarise"]
    from databricks.sdk.errors import NotFound

    with pytest.raises(NotFound):
        client.workspace.get_status(f"{project.files_path}/README.md")


def test_a_job_deleted_behind_brickyards_back_is_created_again(project: Project, client: Any) -> None:
    _project(project).deploy()
    old = project.state().resources["jobs.greet"].id
    client.jobs.delete(int(old))
    plan = project.plan()
    greet = next(r for r in plan.resources if r.address == "jobs.greet")
    assert greet.action is Action.CREATE and greet.reason == "deleted in the workspace since the last deploy"
    report = project.deploy()
    assert report.created == ["jobs.greet"]
    new = project.state().resources["jobs.greet"].id
    assert new != old and client.jobs.get(int(new)).settings.name == "[dev tester] greet"


def test_select_deploys_only_the_chosen_resource(project: Project, client: Any) -> None:
    _project(project).deploy()
    changed = BUNDLE.replace("{who: world}", "{who: you}").replace("name: report", "name: daily report")
    project.write({"databricks.yml": changed})
    report = project.deploy(select=["jobs.report"])
    assert report.updated == ["jobs.report"]
    plan = project.plan()
    assert {r.address: r.action for r in plan.resources}["jobs.greet"] is Action.UPDATE
    with pytest.raises(BrickyardError, match=r"--select jobs\.nope: no such resource"):
        project.deploy(select=["jobs.nope"])


def test_removed_resources_are_deleted_and_destroy_keeps_what_is_not_ours(
    project: Project, client: Any
) -> None:
    _project(project).deploy()
    state = project.state()
    theirs = client.jobs.create(name=f"{project.name}-not-ours").job_id
    without_report = BUNDLE.split("    report:")[0]
    project.write({"databricks.yml": without_report})
    report = project.deploy()
    assert report.deleted == ["jobs.report"]
    from databricks.sdk.errors import NotFound

    with pytest.raises(NotFound):
        client.jobs.get(int(state.resources["jobs.report"].id))

    destroyed = project.destroy()
    assert destroyed.deleted == ["jobs.greet"]
    with pytest.raises(NotFound):
        client.jobs.get(int(state.resources["jobs.greet"].id))
    with pytest.raises(NotFound):
        client.workspace.get_status(project.files_path)
    assert client.jobs.get(theirs).settings.name == f"{project.name}-not-ours"
    assert not (project.root / ".brickyard/targets/local/brickyard-state.json").exists()


PROD = BUNDLE.replace(
    "    mode: development\n",
    "    mode: production\n    workspace:\n      root_path: /Workspace/Shared/.bundle/NAME\n",
)


def test_the_deploy_lock_names_its_holder_and_can_be_forced(project: Project, client: Any) -> None:
    from databricks.sdk.service.workspace import ImportFormat

    _project(project, PROD)
    state_path = f"/Workspace/Shared/.bundle/{project.name}/state"
    client.workspace.mkdirs(state_path)
    holder = {
        "id": "x",
        "holder": "alice@example.com",
        "machine": "laptop",
        "acquired_at": "2026-11-22T10:00:00+00:00",
    }
    client.workspace.upload(
        f"{state_path}/deploy.lock", io.BytesIO(json.dumps(holder).encode()), format=ImportFormat.AUTO
    )
    with pytest.raises(DeployLockedError) as info:
        project.deploy()
    assert "alice@example.com on laptop since 2026-11-22T10:00:00+00:00" in str(info.value)
    assert "--force-lock" in str(info.value)
    report = project.deploy(force_lock=True)
    assert sorted(report.created) == ["jobs.greet", "jobs.report"]
    from databricks.sdk.errors import NotFound

    with pytest.raises(NotFound):
        client.workspace.get_status(f"{state_path}/deploy.lock")


def test_two_concurrent_deploys_do_not_both_apply(project: Project, client: Any) -> None:
    _project(project, PROD)
    results: list[Any] = []

    def deploy() -> None:
        try:
            results.append(project.deploy())
        except BrickyardError as err:
            results.append(err)

    threads = [threading.Thread(target=deploy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [r for r in results if isinstance(r, BrickyardError)]
    reports = [r for r in results if not isinstance(r, BrickyardError)]
    created = [r for rep in reports for r in rep.created]
    assert sorted(created) == ["jobs.greet", "jobs.report"], results
    assert len(errors) <= 1 and all(isinstance(e, DeployLockedError | StateError) for e in errors), errors
    assert len(_jobs_of(client, project)) == 2
    state = project.state()
    assert client.jobs.get(
        int(state.resources["jobs.greet"].id)
    ).settings.deployment.metadata_file_path.startswith(f"/Workspace/Shared/.bundle/{project.name}/state")


def test_a_deploy_that_fails_half_way_converges_without_duplicates(project: Project, client: Any) -> None:
    bundle = (
        BUNDLE
        + """
  clusters:
    shared:
      cluster_name: NAME-shared
      spark_version: 15.4.x-scala2.12
      num_workers: 1
"""
    )
    _project(project, bundle)
    fault = {
        "path": "/jobs/create$",
        "method": "POST",
        "status": 500,
        "message": "injected outage",
        "count": 1,
    }
    client.api_client.do("PUT", "/api/2.0/brickyard/faults", body={"rules": [fault]})
    try:
        with pytest.raises(ApplyError) as info:
            project.deploy()
    finally:
        client.api_client.do("DELETE", "/api/2.0/brickyard/faults")
    assert info.value.stage == "create" and info.value.resource.startswith("jobs.")
    assert "injected outage" in str(info.value)
    half = project.state()
    assert "clusters.shared" in half.resources

    report = project.deploy()
    assert sorted(report.created) == ["jobs.greet", "jobs.report"]
    final = project.state()
    assert set(final.resources) == {"clusters.shared", "jobs.greet", "jobs.report"}
    clusters = [c for c in client.clusters.list() if c.cluster_name == f"[dev tester] {project.name}-shared"]
    assert len(clusters) == 1
    assert len(_jobs_of(client, project)) == 2
    assert project.deploy().writes == 0


def _jobs_of(client: Any, project: Project) -> list[Any]:
    return [
        j
        for j in client.jobs.list()
        if j.settings.deployment
        and f"/.bundle/{project.name}/" in (j.settings.deployment.metadata_file_path or "")
    ]


def test_a_state_from_a_newer_brickyard_is_refused(project: Project, client: Any) -> None:
    from databricks.sdk.service.workspace import ImportFormat

    _project(project).deploy()
    state = project.state().model_dump(mode="json")
    state["version"] = 99
    path = f"/Workspace/Users/{USER}/.bundle/{project.name}/local/state/brickyard-state.json"
    client.workspace.upload(
        path, io.BytesIO(json.dumps(state).encode()), format=ImportFormat.AUTO, overwrite=True
    )
    with pytest.raises(StateError, match="version 99, written by a newer brickyard"):
        project.deploy()


def test_a_job_edited_in_the_workspace_is_put_back_by_the_next_deploy(project: Project, client: Any) -> None:
    from databricks.sdk.service.jobs import CronSchedule, JobSettings

    _project(project).deploy()
    job_id = int(project.state().resources["jobs.greet"].id)
    settings = client.jobs.get(job_id).settings
    settings.schedule = CronSchedule(quartz_cron_expression="0 0 * * * ?", timezone_id="UTC")
    settings.tasks[0].notebook_task.base_parameters = {"who": "hacker"}
    client.jobs.reset(job_id, new_settings=JobSettings.from_dict(settings.as_dict()))

    plan = project.plan()
    greet = next(r for r in plan.resources if r.address == "jobs.greet")
    assert greet.action is Action.UPDATE and greet.reason == "edited in the workspace since the last deploy"
    assert set(greet.changed_fields) >= {"schedule", "tasks[hello].notebook_task.base_parameters.who"}
    assert project.deploy().updated == ["jobs.greet"]
    restored = client.jobs.get(job_id).settings
    assert restored.schedule is None and restored.tasks[0].notebook_task.base_parameters == {"who": "world"}
    assert project.deploy().writes == 0


PIPELINE = """
bundle:
  name: NAME
targets:
  local:
    default: true
    mode: development
resources:
  pipelines:
    clean:
      name: clean
      catalog: main
      schema: NAME
      libraries: [{file: {path: ./clean.py}}]
  schemas:
    data:
      name: NAME
      catalog_name: main
"""
CLEAN = """
import dlt

@dlt.table
def numbers():
    return spark.range(3)
"""


def test_deleting_a_pipeline_or_schema_needs_approval(project: Project, client: Any) -> None:
    project.write({"databricks.yml": PIPELINE, "clean.py": CLEAN})
    project.deploy()
    pipeline_id = project.state().resources["pipelines.clean"].id
    project.write({"databricks.yml": PIPELINE.split("  pipelines:")[0] + "  jobs: {}\n"})
    with pytest.raises(BrickyardError, match=r"destructive changes need approval: delete pipelines\.clean"):
        project.deploy()
    assert client.pipelines.get(pipeline_id).pipeline_id == pipeline_id  # nothing was applied
    assert project.outputs[-1].questions  # it asked before refusing

    report = project.deploy(answer=True)
    assert sorted(report.deleted) == ["pipelines.clean", "schemas.data"]
    from databricks.sdk.errors import NotFound

    with pytest.raises(NotFound):
        client.pipelines.get(pipeline_id)


def test_files_deleted_in_the_workspace_are_uploaded_again(project: Project, client: Any) -> None:
    _project(project).deploy()
    client.workspace.delete(f"{project.files_path}/jobs", recursive=True)
    project.write({"jobs/report.py": "print('report v2')\n"})
    assert project.deploy().files_uploaded == 1  # its folder was made again
    with client.workspace.download(f"{project.files_path}/jobs/report.py") as handle:
        assert handle.read() == b"print('report v2')\n"

    client.workspace.delete(project.files_path, recursive=True)
    report = project.deploy()
    assert report.files_uploaded == 4 and not report.created and not report.updated
    assert (
        client.workspace.get_status(f"{project.files_path}/notebooks/greet").object_type.value == "NOTEBOOK"
    )


def test_deleting_resources_already_gone_from_the_workspace(project: Project, client: Any) -> None:
    _project(project).deploy()
    client.jobs.delete(int(project.state().resources["jobs.report"].id))
    project.write({"databricks.yml": BUNDLE.split("    report:")[0]})
    assert project.deploy().deleted == ["jobs.report"]
    client.jobs.delete(int(project.state().resources["jobs.greet"].id))
    assert project.destroy().deleted == ["jobs.greet"]


def test_lookup_variables_are_found_by_name_when_deploying(project: Project, client: Any) -> None:
    from brickyard.errors import PlanError

    cluster_id = client.clusters.create(
        cluster_name=f"{project.name} shared", spark_version="15.4.x-scala2.12", num_workers=1
    ).cluster_id
    bundle = BUNDLE.replace(
        "resources:\n",
        "variables:\n  shared:\n    lookup: {cluster: NAME shared}\nresources:\n",
    ).replace(
        "        - task_key: summarize\n",
        "        - task_key: summarize\n          existing_cluster_id: ${var.shared}\n",
    )
    _project(project, bundle).deploy()
    job = client.jobs.get(int(project.state().resources["jobs.report"].id))
    assert job.settings.tasks[0].existing_cluster_id == cluster_id
    project.write({"databricks.yml": bundle.replace("{cluster: NAME shared}", "{cluster: nowhere}")})
    with pytest.raises(
        PlanError, match="no cluster named 'nowhere'; create it, or give the id with --var shared=<id>"
    ):
        project.plan()


def test_an_all_purpose_cluster_of_the_same_name_is_adopted_not_duplicated(
    project: Project, client: Any
) -> None:
    bundle = (
        BUNDLE
        + """
  clusters:
    shared:
      cluster_name: NAME-shared
      spark_version: 15.4.x-scala2.12
      num_workers: 2
      spark_conf: {spark.speculation: "true"}
"""
    )
    _project(project, bundle)
    name = f"[dev tester] {project.name}-shared"  # development mode's prefix
    existing = client.clusters.create(cluster_name=name, spark_version="15.4.x-scala2.12", num_workers=1)
    existing_id = existing.cluster_id

    [planned] = [c for c in project.plan().resources if c.address == "clusters.shared"]
    assert planned.action is Action.CREATE and planned.id == existing_id
    assert planned.reason == f"adopts {existing_id}, already in the workspace"

    report = project.deploy()
    assert "clusters.shared" in report.created
    assert project.state().resources["clusters.shared"].id == existing_id
    assert [c.cluster_id for c in client.clusters.list() if c.cluster_name == name] == [existing_id]
    adopted = client.clusters.get(existing_id)
    assert adopted.num_workers == 2 and adopted.spark_conf == {"spark.speculation": "true"}
    assert project.deploy().writes == 0
