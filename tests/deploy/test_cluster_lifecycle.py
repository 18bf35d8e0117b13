"""Clusters left terminated after deploy: only those the deploy created or changed, by setting or flag."""

from __future__ import annotations

from typing import Any

import pytest
from databricks.sdk.service.catalog import VolumeType

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


INIT_BUNDLE = """
bundle:
  name: NAME
targets:
  local:
    default: true
    mode: development
    workspace:
      artifact_path: /Volumes/main/NAME/ops/${workspace.current_user.short_name}
resources:
  clusters:
    shared:
      cluster_name: NAME-init
      spark_version: 15.4.x-scala2.12
      num_workers: 1
      init_scripts:
        - workspace: {destination: ./init/workspace.sh}
        - volumes: {destination: ./init/volume.sh}
        - dbfs: {destination: ./init/dbfs.sh}
  jobs:
    etl:
      name: NAME etl
      job_clusters:
        - job_cluster_key: c
          new_cluster:
            spark_version: 15.4.x-scala2.12
            num_workers: 1
            init_scripts: [{volumes: {destination: ./init/volume.sh}}]
      tasks:
        - task_key: nb
          job_cluster_key: c
          notebook_task: {notebook_path: ./nb.py}
"""


def test_init_scripts_of_the_project_are_uploaded_to_volumes_dbfs_and_workspace_before_clusters(
    project: Project, client: Any
) -> None:
    from brickyard.deploy.remote_files import download
    from brickyard.plan.model import ArtifactStage, FileStage, ResourceStage

    client.schemas.create(name=project.name, catalog_name="main")
    client.volumes.create(
        catalog_name="main", schema_name=project.name, name="ops", volume_type=VolumeType.MANAGED
    )
    scripts = {f"init/{n}.sh": f"#!/bin/bash\necho {n}\n" for n in ("workspace", "volume", "dbfs")}
    project.write(
        {"databricks.yml": INIT_BUNDLE, "nb.py": "# Databricks notebook source\nprint(1)\n", **scripts}
    )
    stages = project.plan().stages
    kinds = [type(s).__name__ + (f":{s.kind}" if isinstance(s, ResourceStage) else "") for s in stages]
    assert kinds.index("ArtifactStage") < kinds.index("ResourceStage:clusters")
    assert kinds.index("FileStage") < kinds.index("ResourceStage:clusters")
    assert any(isinstance(s, ArtifactStage) for s in stages) and any(isinstance(s, FileStage) for s in stages)

    project.deploy()
    state = project.state()
    cluster = client.clusters.get(state.resources["clusters.shared"].id)
    workspace, volume, dbfs = cluster.init_scripts
    assert workspace.workspace.destination == f"{project.files_path}/init/workspace.sh"
    assert volume.volumes.destination.startswith(f"/Volumes/main/{project.name}/ops/tester/.internal/")
    assert dbfs.dbfs.destination.startswith("dbfs:/FileStore/brickyard/init_scripts/")
    assert download(client, volume.volumes.destination) == scripts["init/volume.sh"].encode()
    assert download(client, dbfs.dbfs.destination) == scripts["init/dbfs.sh"].encode()
    assert download(client, workspace.workspace.destination) == scripts["init/workspace.sh"].encode()
    job = client.jobs.get(int(state.resources["jobs.etl"].id)).settings
    assert job.job_clusters[0].new_cluster.init_scripts[0].volumes.destination == volume.volumes.destination
    assert project.deploy().writes == 0  # unchanged scripts are not uploaded again

    project.write({"init/volume.sh": "#!/bin/bash\necho changed\n"})
    project.deploy()
    changed = client.clusters.get(state.resources["clusters.shared"].id).init_scripts[1].volumes.destination
    assert (
        changed != volume.volumes.destination and download(client, changed) == b"#!/bin/bash\necho changed\n"
    )


def test_a_volumes_init_script_needs_a_volume_artifact_path(project: Project, client: Any) -> None:
    from brickyard.errors import PlanError

    bundle = INIT_BUNDLE.replace(
        "    workspace:\n      artifact_path: /Volumes/main/NAME/ops/${workspace.current_user.short_name}\n",
        "",
    )
    project.write(
        {
            "databricks.yml": bundle,
            "nb.py": "# Databricks notebook source\nprint(1)\n",
            **{f"init/{n}.sh": "echo\n" for n in ("workspace", "volume", "dbfs")},
        }
    )
    with pytest.raises(
        PlanError,
        match=r"clusters\.shared\.init_scripts\[1\]\.volumes\.destination: a volumes init script from the project \(\./init/volume\.sh\).*not a volume",
    ):
        project.deploy()
