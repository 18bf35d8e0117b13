"""The backup job that deploy adds from brickyard.yml `dr`: it runs on the local workspace to
SUCCESS, writes a real backup, and its retention prunes the older one. Uses the deploy tests'
shared workspace."""

from __future__ import annotations

from typing import Any

import pytest

from brickyard.dr.location import open_location
from brickyard.dr.manifest import list_manifests
from brickyard.errors import RecoveryError
from tests.deploy.conftest import Project

pytestmark = [pytest.mark.engine, pytest.mark.server]

BUNDLE = """
bundle:
  name: NAME
targets:
  local:
    default: true
    mode: development
resources:
  jobs:
    load:
      name: NAME load
      tasks:
        - task_key: load
          spark_python_task: {python_file: ./load.py}
"""
LOAD = """
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
spark.sql("CREATE SCHEMA IF NOT EXISTS main.NAME")
spark.range(1000).write.format("delta").mode("append").saveAsTable("main.NAME.orders")
"""
SETTINGS = """
dr:
  tables: [main.NAME.*]
  location: backups
  schedule: "0 0 2 * * ?"
  timezone: Europe/Amsterdam
  retention: {keep: 1}
"""


def test_the_declared_backup_job_runs_backs_up_and_prunes(project: Project, client: Any) -> None:
    project.write({"databricks.yml": BUNDLE, "load.py": LOAD, "brickyard.yml": SETTINGS})
    project.deploy()
    job_id = int(project.state().resources["jobs.brickyard_backup"].id)
    settings = client.jobs.get(job_id).settings
    assert settings.name == f"[dev tester] {project.name} backup"
    assert settings.schedule.quartz_cron_expression == "0 0 2 * * ?"
    assert settings.schedule.timezone_id == "Europe/Amsterdam"
    assert settings.schedule.pause_status.value == "PAUSED"  # development mode pauses it, as any job

    project.run("load")
    project.run("brickyard_backup")
    location = open_location(str(project.root / "backups"), project.root)
    (first,) = list_manifests(location)
    (table,) = first.tables
    assert table.full_name == f"main.{project.name}.orders" and table.snapshot.row_count == 1000

    project.run("load")
    outcome = project.run("brickyard_backup")
    assert outcome.succeeded
    (kept,) = list_manifests(location)  # retention keep: 1 removed the first backup
    assert kept.id != first.id and kept.tables[0].snapshot.row_count == 2000
    assert f"Removed by retention: {first.id}" in str(outcome.as_json())  # the task's own output

    # Without a schedule (and job: false) the project no longer asks for the job: deploy deletes it.
    project.write({"brickyard.yml": SETTINGS.replace('  schedule: "0 0 2 * * ?"\n', "")})
    report = project.deploy()
    assert report.deleted == ["jobs.brickyard_backup"]


def test_a_backup_job_without_a_location_is_refused_before_deploying(project: Project, client: Any) -> None:
    project.write(
        {
            "databricks.yml": BUNDLE,
            "load.py": LOAD,
            "brickyard.yml": "dr:\n  job: true\n  tables: [main.x.*]\n",
        }
    )
    with pytest.raises(RecoveryError, match="no backup location for target local"):
        project.deploy()
    assert not list(client.jobs.list(name=f"[dev tester] {project.name} load"))


def test_on_a_real_workspace_the_job_installs_a_wheel_of_the_deploying_brickyard(tmp_path: Any) -> None:
    import base64
    import hashlib
    import zipfile

    from brickyard.bundle import LoadOptions, load_bundle
    from brickyard.dr.job import ADDRESS, with_backup_job
    from brickyard.plan.desired import desired_from_bundle
    from brickyard.resources import REGISTRY
    from brickyard.settings import load_settings

    (tmp_path / "databricks.yml").write_text(
        "bundle: {name: bk}\ntargets:\n  prod:\n    mode: production\n"
        "    workspace: {host: https://adb-1.2.azuredatabricks.net, root_path: /Workspace/Shared/bk}\n"
    )
    (tmp_path / "brickyard.yml").write_text("dr:\n  location: /Volumes/ops/dr/backups\n  job: true\n")
    bundle = load_bundle(tmp_path, LoadOptions(target="prod", environ={}))
    settings = load_settings(tmp_path).dr
    desired = with_backup_job(desired_from_bundle(bundle, [], REGISTRY), bundle, settings, local=False)
    (wheel,) = desired.artifacts
    job = desired.resources[ADDRESS]
    assert job["environments"][0]["spec"]["dependencies"] == [wheel.remote]
    assert job["tasks"][0]["environment_key"] == "backup" and "schedule" not in job
    assert wheel.remote.startswith("/Workspace/Shared/bk/artifacts/.internal/")
    assert wheel.local is not None
    with zipfile.ZipFile(wheel.local) as archive:
        names = archive.namelist()
        assert "brickyard/dr/job_task.py" in names and "brickyard/dr/backup.py" in names
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = archive.read(info).decode()
        assert "Name: brickyard" in metadata and "pyspark" not in metadata and "pysail" not in metadata
        record = archive.read(info.replace("METADATA", "RECORD")).decode().splitlines()
        for line in record[:-1]:  # every file's hash is right (pip checks them on install)
            name, digest, _ = line.split(",")
            actual = base64.urlsafe_b64encode(hashlib.sha256(archive.read(name)).digest()).rstrip(b"=")
            assert digest == f"sha256={actual.decode()}", name
    # The same brickyard builds the same bytes: nothing is uploaded again by the next deploy.
    again = with_backup_job(desired_from_bundle(bundle, [], REGISTRY), bundle, settings, local=False)
    assert again.artifacts[0].hash == wheel.hash
    # With dependencies named in dr, the job uses those instead.
    (tmp_path / "brickyard.yml").write_text(
        "dr:\n  location: /Volumes/ops/dr/backups\n  job: true\n  job_dependencies: [brickyard-dr==1.0]\n"
    )
    named = with_backup_job(
        desired_from_bundle(bundle, [], REGISTRY), bundle, load_settings(tmp_path).dr, False
    )
    assert not named.artifacts
    assert named.resources[ADDRESS]["environments"][0]["spec"]["dependencies"] == ["brickyard-dr==1.0"]
