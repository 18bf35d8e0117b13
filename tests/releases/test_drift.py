"""Drift on the local workspace: edits made through the SDK (as the UI makes them) are found field by
field; a bundle deployed a moment ago, with several resource kinds, has none."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from brickyard.plan.compare import compare
from brickyard.releases.drift import DriftOptions, DriftReport, check_drift
from brickyard.resources.clusters import Clusters
from brickyard.resources.jobs import Jobs
from tests.deploy.conftest import USER, Project

BUNDLE = """
bundle:
  name: NAME
targets:
  local:
    default: true
    mode: development
resources:
  clusters:
    shared:
      cluster_name: NAME-shared
      spark_version: 15.4.x-scala2.12
      num_workers: 1
      spark_conf: {spark.sql.shuffle.partitions: "8"}
  jobs:
    etl:
      name: NAME etl
      schedule: {quartz_cron_expression: "0 0 6 * * ?", timezone_id: UTC}
      parameters:
        - {name: day, default: today}
      email_notifications: {on_failure: [oncall@example.com]}
      job_clusters:
        - job_cluster_key: small
          new_cluster: {spark_version: 15.4.x-scala2.12, num_workers: 1}
      tasks:
        - task_key: ingest
          notebook_task: {notebook_path: ./notebooks/ingest.py, base_parameters: {day: "{{job.parameters.day}}"}}
          existing_cluster_id: ${resources.clusters.shared.id}
        - task_key: explore
          depends_on: [{task_key: ingest}]
          notebook_task: {notebook_path: ./notebooks/explore.ipynb}
          job_cluster_key: small
        - task_key: report
          depends_on: [{task_key: explore}, {task_key: ingest}]
          spark_python_task: {python_file: ./jobs/report.py, parameters: ["--day", "today"]}
          job_cluster_key: small
          max_retries: 2
          timeout_seconds: 600
    nightly:
      name: NAME nightly
      tasks:
        - task_key: run_etl
          run_job_task: {job_id: "${resources.jobs.etl.id}"}
"""

IPYNB = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Explore\n", "the data"]},
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": ["x = 1\n", "print(x)"],
        },
    ],
    "metadata": {"language_info": {"name": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def _project(project: Project) -> Project:
    project.write(
        {
            "databricks.yml": BUNDLE,
            "notebooks/ingest.py": "# Databricks notebook source\nprint('ingest')\n",
            "notebooks/explore.ipynb": json.dumps(IPYNB, indent=1),
            "jobs/report.py": "print('report')\n",
            "README.md": "a bundle\n",
        }
    )
    project.deploy()
    return project


def _drift(project: Project) -> DriftReport:
    return check_drift(project.context(), DriftOptions())


def _job_id(project: Project, key: str) -> int:
    return int(project.state().resources[f"jobs.{key}"].id)


def test_a_bundle_deployed_a_moment_ago_has_no_drift(project: Project, client: Any) -> None:
    report = _drift(_project(project))
    assert not report.drifted, report.as_json()
    assert report.pending == []
    assert report.as_json()["drift"] == {"resources": [], "files": [], "unmanaged": []}
    assert {"jobs.etl", "jobs.nightly", "clusters.shared"} <= set(project.state().resources)


def test_edits_made_in_the_ui_are_drift_named_field_by_field(project: Project, client: Any) -> None:
    from databricks.sdk.service import jobs
    from databricks.sdk.service.workspace import ImportFormat, Language

    _project(project)
    etl, nightly = _job_id(project, "etl"), _job_id(project, "nightly")
    client.jobs.update(
        etl,
        new_settings=jobs.JobSettings(
            schedule=jobs.CronSchedule(quartz_cron_expression="0 30 7 * * ?", timezone_id="UTC"),
            tasks=[
                jobs.Task(
                    task_key="added_by_hand",
                    depends_on=[jobs.TaskDependency(task_key="report")],
                    spark_python_task=jobs.SparkPythonTask(
                        python_file=f"{project.files_path}/jobs/report.py"
                    ),
                    job_cluster_key="small",
                )
            ],
        ),
    )
    client.jobs.delete(nightly)
    client.workspace.upload(
        f"{project.files_path}/notebooks/ingest",
        io.BytesIO(b"# Databricks notebook source\nprint('edited in the UI')\n"),
        format=ImportFormat.SOURCE,
        language=Language.PYTHON,
        overwrite=True,
    )
    client.workspace.upload(
        f"{project.files_path}/notebooks/scratch",
        io.BytesIO(b"# Databricks notebook source\nprint('mine')\n"),
        format=ImportFormat.SOURCE,
        language=Language.PYTHON,
    )
    client.workspace.delete(f"{project.files_path}/README.md")

    report = _drift(project)
    assert report.drifted
    by_address = {r.address: r for r in report.resources}
    assert set(by_address) == {"jobs.etl", "jobs.nightly"}
    assert by_address["jobs.nightly"].change == "deleted"
    fields = {f.path: f for f in by_address["jobs.etl"].fields}
    # dev mode deployed the schedule paused; the edit left it unpaused, which is drift too
    assert set(fields) == {"schedule.quartz_cron_expression", "schedule.pause_status", "tasks[added_by_hand]"}
    assert (fields["schedule.pause_status"].change, fields["schedule.pause_status"].deployed) == (
        "removed",
        "PAUSED",
    )
    assert (
        fields["schedule.quartz_cron_expression"].deployed,
        fields["schedule.quartz_cron_expression"].actual,
    ) == (
        "0 0 6 * * ?",
        "0 30 7 * * ?",
    )
    assert fields["tasks[added_by_hand]"].change == "added"
    assert {(f.relative, f.change) for f in report.files} == {
        ("notebooks/ingest.py", "modified"),
        ("README.md", "deleted"),
    }
    assert [(u.what, u.where) for u in report.unmanaged] == [
        ("notebook", f"{project.files_path}/notebooks/scratch")
    ]
    assert report.pending == []  # the bundle did not change: nothing is pending, it is all drift


def test_a_task_setting_reset_by_hand_and_a_cluster_edit_are_drift(project: Project, client: Any) -> None:
    _project(project)
    etl = _job_id(project, "etl")
    settings = client.api_client.do("GET", "/api/2.2/jobs/get", query={"job_id": etl})["settings"]
    report_task = next(t for t in settings["tasks"] if t["task_key"] == "report")
    report_task["max_retries"] = 5
    report_task["depends_on"] = list(reversed(report_task["depends_on"]))  # order alone is no drift
    settings["tasks"].reverse()
    client.api_client.do("POST", "/api/2.2/jobs/reset", body={"job_id": etl, "new_settings": settings})
    cluster_id = project.state().resources["clusters.shared"].id
    spec = client.api_client.do("GET", "/api/2.1/clusters/get", query={"cluster_id": cluster_id})["spec"]
    spec["spark_conf"] = {"spark.sql.shuffle.partitions": "200"}
    spec["custom_tags"] = {**spec.get("custom_tags", {}), "team": "ui"}
    client.api_client.do("POST", "/api/2.1/clusters/edit", body={**spec, "cluster_id": cluster_id})

    report = _drift(project)
    fields = {r.address: [f.path for f in r.fields] for r in report.resources}
    assert fields == {
        "jobs.etl": ["tasks[report].max_retries"],
        "clusters.shared": ["custom_tags.team", "spark_conf.spark.sql.shuffle.partitions"],
    }


def test_a_job_created_outside_the_state_with_the_bundles_metadata_is_reported(
    project: Project, client: Any
) -> None:
    _project(project)
    settings = client.api_client.do("GET", "/api/2.2/jobs/get", query={"job_id": _job_id(project, "nightly")})
    copy = client.api_client.do("POST", "/api/2.2/jobs/create", body=settings["settings"])
    client.api_client.do("POST", "/api/2.2/jobs/create", body={**settings["settings"], "deployment": None})
    report = _drift(project)
    assert [(u.what, u.where, u.name) for u in report.unmanaged] == [
        ("job", str(copy["job_id"]), f"[dev tester] {project.name} nightly")
    ]


def test_bundle_changes_are_pending_not_drift_and_the_cli_exit_code_says_which(
    project: Project, client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from brickyard.cli.main import run

    _project(project)
    project.write({"jobs/report.py": "print('report v2')\n"})
    project.write({"databricks.yml": BUNDLE.replace("max_retries: 2", "max_retries: 3")})
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project.workspace_dir))
    assert run(["drift", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["drifted"] is False
    assert {"resource": "jobs.etl", "action": "update", "fields": ["tasks[2].max_retries"]} in doc["pending"]
    assert {"file": "jobs/report.py", "action": "upload"} in doc["pending"]

    client.jobs.delete(_job_id(project, "nightly"))
    assert run(["drift", "-o", "json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["drift"]["resources"][0]["change"] == "deleted"
    assert "Error: drift found on target local: 1 resource(s) changed outside brickyard" in captured.err


def test_server_filled_defaults_of_a_real_workspace_are_not_drift() -> None:
    """The shapes a Databricks workspace answers jobs/get with, beyond what the local one fills in."""
    deployed = {
        "name": "etl",
        "format": "MULTI_TASK",
        "tasks": [
            {
                "task_key": "a",
                "notebook_task": {"notebook_path": "/Workspace/Users/u/files/nb"},
                "max_retries": 0,
            },
            {
                "task_key": "b",
                "depends_on": [{"task_key": "a"}],
                "new_cluster": {"spark_version": "15.4.x-scala2.12", "num_workers": 1},
                "spark_python_task": {"python_file": "/Workspace/f.py"},
            },
        ],
        "schedule": {"quartz_cron_expression": "0 0 6 * * ?", "timezone_id": "UTC"},
        "timeout_seconds": 0,
    }
    workspace = {
        "name": "etl",
        "format": "MULTI_TASK",
        "email_notifications": {},
        "webhook_notifications": {},
        "notification_settings": {"no_alert_for_skipped_runs": False},
        "timeout_seconds": 0,
        "max_concurrent_runs": 1,
        "run_as": {"user_name": USER},
        "queue": {"enabled": True},
        "performance_target": "PERFORMANCE_OPTIMIZED",
        "schedule": {
            "quartz_cron_expression": "0 0 6 * * ?",
            "timezone_id": "UTC",
            "pause_status": "UNPAUSED",
        },
        "tasks": [
            {
                "task_key": "b",
                "depends_on": [{"task_key": "a"}],
                "run_if": "ALL_SUCCESS",
                "spark_python_task": {"python_file": "/f.py", "source": "WORKSPACE"},
                "new_cluster": {
                    "spark_version": "15.4.x-scala2.12",
                    "num_workers": 1,
                    "enable_elastic_disk": True,
                    "data_security_mode": "SINGLE_USER",
                    "aws_attributes": {"availability": "SPOT_WITH_FALLBACK", "zone_id": "auto"},
                    "node_type_id": "i3.xlarge",
                },
                "timeout_seconds": 0,
                "email_notifications": {},
            },
            {
                "task_key": "a",
                "notebook_task": {"notebook_path": "/Users/u/files/nb", "source": "WORKSPACE"},
                "run_if": "ALL_SUCCESS",
                "timeout_seconds": 0,
                "email_notifications": {},
            },
        ],
    }
    assert compare(Jobs, deployed, workspace, frozenset({USER})) == []
    assert [
        c.path
        for c in compare(Jobs, deployed, {**workspace, "run_as": {"user_name": "x@y"}}, frozenset({USER}))
    ] == ["run_as"]
    paused = {**workspace, "schedule": {**workspace["schedule"], "pause_status": "PAUSED"}}
    assert [c.path for c in compare(Jobs, deployed, paused, frozenset({USER}))] == ["schedule.pause_status"]
    both = compare(Jobs, {**deployed, "performance_target": "STANDARD"}, workspace, frozenset({USER}))
    assert [(c.path, c.deployed, c.actual) for c in both] == [
        ("performance_target", "STANDARD", "PERFORMANCE_OPTIMIZED")
    ]  # a default counts only when one side left the field unset
    cluster = {"cluster_name": "c", "spark_version": "15.4.x-scala2.12", "num_workers": 2}
    filled = {**cluster, "autotermination_minutes": 120, "enable_elastic_disk": True, "state_message": "x"}
    assert compare(Clusters, cluster, filled) == []
    assert [c.path for c in compare(Clusters, cluster, {**filled, "spark_conf": {"a": "b"}})] == [
        "spark_conf"
    ]
