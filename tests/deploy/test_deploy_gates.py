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
