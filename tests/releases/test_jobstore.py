"""The job definition store on the local workspace: stable exports, restore after a deletion or a
manual edit, with the state following so the next deploy is a no-op."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from brickyard.errors import ReleaseError, UsageError
from brickyard.releases.drift import DriftOptions, check_drift
from brickyard.releases.jobstore import StoreOptions, export_jobs, restore_jobs
from tests.deploy.conftest import Project

BUNDLE = """
bundle:
  name: NAME
targets:
  staging:
    default: true
    mode: production
    workspace: {root_path: /Workspace/Shared/.bundle/NAME/staging}
resources:
  jobs:
    etl:
      name: NAME etl
      schedule: {quartz_cron_expression: "0 0 6 * * ?", timezone_id: UTC}
      tags: {team: data}
      tasks:
        - task_key: ingest
          spark_python_task: {python_file: ./ingest.py}
        - task_key: publish
          depends_on: [{task_key: ingest}]
          spark_python_task: {python_file: ./ingest.py, parameters: [--publish]}
      permissions:
        - {level: CAN_VIEW, group_name: users}
    nightly:
      name: NAME nightly
      tasks:
        - task_key: run_etl
          run_job_task: {job_id: "${resources.jobs.etl.id}"}
"""


def _deployed(project: Project) -> Project:
    project.write({"databricks.yml": BUNDLE, "ingest.py": "print('ingest')\n"})
    project.deploy()
    return project


def _exported(project: Project) -> None:
    export_jobs(project.context(), StoreOptions())
    project.deploy()  # the definitions are files of the bundle too: the deploy syncs them


def _store(project: Project) -> Path:
    return project.root / "config/jobs/staging"


def _job(client: Any, job_id: str) -> dict[str, Any]:
    return dict(client.api_client.do("GET", "/api/2.2/jobs/get", query={"job_id": job_id})["settings"])


def test_export_writes_one_stable_file_per_job(project: Project, client: Any) -> None:
    _deployed(project)
    written = export_jobs(project.context(), StoreOptions())
    assert [p.name for p in written] == ["etl.json", "nightly.json"]
    first = {p.name: p.read_bytes() for p in written}
    export_jobs(project.context(), StoreOptions())
    assert {p.name: p.read_bytes() for p in written} == first  # same bytes: nothing for git to show
    doc = json.loads(first["etl.json"])
    state = project.state("staging")
    assert (doc["key"], doc["job_id"], doc["target"]) == ("etl", state.resources["jobs.etl"].id, "staging")
    assert doc["settings"] == _job(client, doc["job_id"])  # as the workspace holds it, settings only
    assert "job_id" not in doc["settings"]
    text = first["etl.json"].decode()
    assert text.endswith("}\n") and text.index('"bundle"') < text.index('"job_id"') < text.index('"settings"')
    assert export_jobs(project.context(), StoreOptions(keys=["nightly"], directory=Path("elsewhere")))[0] == (
        project.root / "elsewhere/staging/nightly.json"
    )
    with pytest.raises(UsageError, match=r"no such deployed job"):
        export_jobs(project.context(), StoreOptions(keys=["nope"]))


def test_a_job_deleted_in_the_ui_is_created_again_and_owned(project: Project, client: Any) -> None:
    _deployed(project)
    _exported(project)
    nightly = project.state("staging").resources["jobs.nightly"].id
    client.jobs.delete(int(nightly))
    [restored] = restore_jobs(project.context(), StoreOptions(keys=["nightly"]))
    assert (
        restored.action == "created"
        and project.state("staging").resources["jobs.nightly"].id == restored.job_id
    )
    assert project.deploy().writes == 0  # the state owns the new job: nothing to create, nothing to update

    old = project.state("staging").resources["jobs.etl"].id
    before = _job(client, old)
    client.jobs.delete(int(old))

    out = project.context()
    [result] = restore_jobs(out, StoreOptions(keys=["etl"]))
    assert (result.action, result.previous_id) == ("created", old) and result.job_id != old
    assert _job(client, result.job_id) == before
    acl = client.api_client.do("GET", f"/api/2.0/permissions/jobs/{result.job_id}")["access_control_list"]
    assert any(entry.get("group_name") == "users" for entry in acl)
    state = project.state("staging")
    assert state.resources["jobs.etl"].id == result.job_id
    remote = project.context()
    from brickyard.deploy.target import open_target

    assert open_target(remote, None).store.read_remote().resources["jobs.etl"].id == result.job_id  # type: ignore[union-attr]
    warnings = [m for kind, m in out.output.messages if kind == "warn"]  # type: ignore[attr-defined]
    assert any("jobs.nightly refers to jobs.etl by its old id" in w for w in warnings)

    # The deploy after it points nightly at the new id, and creates nothing.
    report = project.deploy()
    assert report.created == [] and report.updated == ["jobs.nightly"]
    run_job = _job(client, project.state("staging").resources["jobs.nightly"].id)["tasks"][0]["run_job_task"]
    assert str(run_job["job_id"]) == result.job_id
    assert project.deploy().writes == 0
    assert not check_drift(project.context(), DriftOptions()).drifted


def test_a_job_edited_by_hand_is_reset_and_the_next_deploy_is_a_no_op(project: Project, client: Any) -> None:
    from databricks.sdk.service import jobs

    _deployed(project)
    _exported(project)
    job_id = project.state("staging").resources["jobs.etl"].id
    stored = _job(client, job_id)
    client.jobs.update(int(job_id), new_settings=jobs.JobSettings(max_concurrent_runs=7, tags={"team": "ui"}))
    assert check_drift(project.context(), DriftOptions()).drifted

    results = restore_jobs(project.context(), StoreOptions())
    assert [(r.key, r.action, r.job_id) for r in results] == [
        ("etl", "reset", job_id),
        ("nightly", "unchanged", results[1].job_id),
    ]
    assert _job(client, job_id) == stored
    assert project.deploy().writes == 0
    assert not check_drift(project.context(), DriftOptions()).drifted
    assert restore_jobs(project.context(), StoreOptions())[0].action == "unchanged"


def test_restore_refuses_what_it_cannot_put_back(project: Project, client: Any) -> None:
    _deployed(project)
    with pytest.raises(
        ReleaseError,
        match=r"no job definitions in .*config/jobs/staging: run `brickyard jobs export -t staging`",
    ):
        restore_jobs(project.context(), StoreOptions())
    _exported(project)
    path = _store(project) / "etl.json"
    doc = json.loads(path.read_text())
    doc["settings"]["tasks"][0]["new_cluster"] = {
        "spark_env_vars": {"TOKEN": "[REDACTED sha256:0123456789ab]"}
    }
    path.write_text(json.dumps(doc))
    project.deploy()
    with pytest.raises(ReleaseError, match=r"credentials that were never written"):
        restore_jobs(project.context(), StoreOptions(keys=["etl"]))
    (_store(project) / "other.json").write_text(json.dumps({"target": "staging", "settings": {"name": "x"}}))
    project.deploy()
    with pytest.raises(ReleaseError, match=r"jobs.other not deployed to staging"):
        restore_jobs(project.context(), StoreOptions(keys=["other"]))
    with pytest.raises(UsageError, match=r"--key nope: no definition"):
        restore_jobs(project.context(), StoreOptions(keys=["nope"]))
    # nothing above wrote anything: the deploy lock is free and the state unchanged
    assert project.deploy().writes == 0
