"""Clusters left terminated after deploy: only those the deploy created or changed, by setting or flag."""

from __future__ import annotations

from typing import Any

from tests.deploy.conftest import Project

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
      num_workers: WORKERS
  jobs:
    etl:
      name: NAME etl
      description: DESCRIPTION
      tasks:
        - task_key: nb
          existing_cluster_id: ${resources.clusters.shared.id}
          notebook_task: {notebook_path: ./nb.py}
"""


def _write(project: Project, workers: int = 1, description: str = "one", terminate: str = "[local]") -> None:
    project.write(
        {
            "databricks.yml": BUNDLE.replace("WORKERS", str(workers)).replace("DESCRIPTION", description),
            "nb.py": "# Databricks notebook source\nprint(1)\n",
            "brickyard.yml": f"clusters:\n  terminate_after_deploy: {terminate}\n",
        }
    )


def _state(client: Any, cluster_id: str) -> str:
    return str(client.clusters.get(cluster_id).state.value)


def test_clusters_a_deploy_starts_are_left_terminated_and_untouched_ones_keep_running(
    project: Project, client: Any
) -> None:
    _write(project)
    report = project.deploy()
    cluster_id = project.state().resources["clusters.shared"].id
    assert "clusters.shared" in report.created
    assert _state(client, cluster_id) == "TERMINATED"
    assert (
        f"Terminated cluster [dev tester] {project.name}-shared ({cluster_id})" in project.outputs[-1].text()
    )

    # Someone starts it; a deploy that changes only the job leaves it running.
    client.clusters.start(cluster_id).result()
    _write(project, description="two")
    assert project.deploy().updated == ["jobs.etl"]
    assert _state(client, cluster_id) == "RUNNING"

    # A deploy that edits the running cluster (which restarts it) terminates it again.
    _write(project, workers=2, description="two")
    assert "clusters.shared" in project.deploy().updated
    assert _state(client, cluster_id) == "TERMINATED"
    assert client.clusters.get(cluster_id).num_workers == 2


def test_other_targets_keep_their_clusters_running_unless_deploy_is_told(
    project: Project, client: Any
) -> None:
    _write(project, terminate="[prod]")
    project.deploy()
    cluster_id = project.state().resources["clusters.shared"].id
    assert _state(client, cluster_id) == "RUNNING"
    _write(project, workers=2, terminate="[prod]")
    project.deploy(terminate_clusters=True)
    assert _state(client, cluster_id) == "TERMINATED"
