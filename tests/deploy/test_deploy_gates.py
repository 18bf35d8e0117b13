"""What deploy enforces on its inputs: no plaintext secrets, clusters pinned to the lock."""

from __future__ import annotations

from typing import Any

import pytest

from brickyard.errors import FindingsError
from tests.deploy.conftest import Project

BUNDLE = """
bundle:
  name: NAME
targets:
  local:
    default: true
    mode: development
resources:
  jobs:
    etl:
      name: etl
      job_clusters:
        - job_cluster_key: main
          new_cluster: {spark_version: 15.4.x-scala2.12, num_workers: 1, init_scripts: [{workspace: {destination: /Shared/other.sh}}]}
      tasks:
        - task_key: run
          job_cluster_key: main
          spark_python_task: {python_file: ./run.py}
"""


def test_a_planted_secret_stops_the_deploy_before_anything_is_written(project: Project, client: Any) -> None:
    from databricks.sdk.errors import NotFound

    token = "dapi" + "a1b2c3d4e5f60718" * 2
    project.write({"databricks.yml": BUNDLE, "run.py": f"TOKEN = '{token}'\nprint('run')\n"})
    with pytest.raises(FindingsError) as info:
        project.deploy()
    message = str(info.value)
    assert "run.py:1" in message and token not in message
    with pytest.raises(NotFound):
        client.workspace.get_status(project.files_path)
    project.write({"run.py": "import os\nTOKEN = os.environ['TOKEN']\n"})
    assert project.deploy().created == ["jobs.etl"]


def test_clusters_run_the_lock_init_script_first_when_the_bundle_has_one(
    project: Project, client: Any
) -> None:
    project.write(
        {
            "databricks.yml": BUNDLE,
            "run.py": "print('run')\n",
            "init/enforce-requirements.sh": "#!/bin/bash\necho pinned\n",
        }
    )
    project.deploy()
    settings = client.jobs.get(int(project.state().resources["jobs.etl"].id)).settings
    scripts = [s.workspace.destination for s in settings.job_clusters[0].new_cluster.init_scripts]
    assert scripts == [f"{project.files_path}/init/enforce-requirements.sh", "/Shared/other.sh"]
    assert project.deploy().writes == 0  # wiring is stable: nothing to change the second time


PRODUCTION = """
bundle:
  name: NAME
  git: {branch: release}
targets:
  prod:
    mode: production
    default: true
    workspace: {root_path: /Workspace/Shared/.bundle/NAME/prod}
resources:
  jobs:
    etl:
      name: NAME etl
      tasks:
        - task_key: nb
          notebook_task: {notebook_path: ./nb.py}
"""


def test_production_refusals_stop_the_deploy_before_anything_is_written(
    project: Project, client: Any
) -> None:
    import subprocess

    from brickyard.errors import BundleError, ReleaseError

    project.write({"databricks.yml": PRODUCTION, "nb.py": "# Databricks notebook source\nprint(1)\n"})
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=project.root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project.root, check=True)
    subprocess.run([*git, "commit", "-qm", "one"], cwd=project.root, check=True)
    with pytest.raises(
        ReleaseError,
        match="not on the right Git branch:\n  expected according to configuration: release\n  actual: main\nuse --force",
    ):
        project.deploy()
    pipeline = "  pipelines:\n    dlt:\n      name: NAME dlt\n      development: true\n"
    project.write({"databricks.yml": PRODUCTION + pipeline})
    with pytest.raises(BundleError, match="cannot include a pipeline with 'development: true'"):
        project.deploy(force=True)
    assert not list(client.jobs.list(name=f"{project.name} etl"))
    assert not (project.root / ".brickyard/targets/prod/brickyard-state.json").exists()


def test_a_reference_deploy_could_never_fill_stops_it_before_anything_is_written(
    project: Project, client: Any
) -> None:
    from databricks.sdk.errors import NotFound

    from brickyard.errors import PlanError

    pool = "  instance_pools:\n    warm:\n      instance_pool_name: warm\n      node_type_id: i3.xlarge\n"
    bundle = BUNDLE.replace("          spark_python_task: {python_file: ./run.py}\n", "").replace(
        "          job_cluster_key: main\n",
        "          job_cluster_key: main\n"
        "          spark_python_task:\n            python_file: ./run.py\n"
        "            parameters: ['${resources.instance_pools.warm.id}']\n",
    )
    project.write({"databricks.yml": bundle + pool, "run.py": "print('run')\n"})
    with pytest.raises(PlanError, match=r"jobs\.etl: cannot fill .*instance_pools are not deployable"):
        project.deploy()
    with pytest.raises(NotFound):
        client.workspace.get_status(project.files_path)
    assert not (project.root / ".brickyard/targets/local/brickyard-state.json").exists()
