"""Releases on the local workspace: history, exact rollback, promotion, branch rules, recovery."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from typing import Any

import pytest

from brickyard.errors import ApplyError, ReleaseError
from brickyard.releases.model import Release
from brickyard.releases.moves import MoveOptions, promote, rollback
from brickyard.releases.store import ReleaseStore
from tests.deploy.conftest import Project

BUNDLE = """
bundle:
  name: NAME
variables:
  catalog: {default: main}
artifacts:
  pkg: {type: whl, path: ., build: uv build --wheel}
targets:
  staging:
    default: true
    mode: production
    workspace: {root_path: /Workspace/Shared/.bundle/NAME/staging}
    variables: {catalog: staging_cat}
  prod:
    mode: production
    workspace: {root_path: /Workspace/Shared/.bundle/NAME/prod}
    variables: {catalog: prod_cat}
resources:
  jobs:
    etl:
      name: NAME etl
      parameters:
        - {name: catalog, default: "${var.catalog}"}
      tasks:
        - task_key: nb
          notebook_task: {notebook_path: ./nb.py}
        - task_key: whl
          depends_on: [{task_key: nb}]
          python_wheel_task: {package_name: pkg, entry_point: main}
          libraries: [{whl: ./dist/*.whl}]
"""
PYPROJECT = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
[project]
name = "pkg"
version = "VERSION"
[project.scripts]
main = "pkg:main"
[tool.hatch.build.targets.wheel]
packages = ["src/pkg"]
"""


def _version(project: Project, n: int) -> None:
    project.write(
        {
            "databricks.yml": BUNDLE if n < 3 else BUNDLE.replace("task_key: whl", "task_key: wheel"),
            "pyproject.toml": PYPROJECT.replace("VERSION", f"1.0.{n}"),
            "src/pkg/__init__.py": f"def main():\n    print('pkg v{n}')\n",
            "nb.py": f"# Databricks notebook source\nprint('notebook v{n}')\n",
            ".gitignore": "dist/\n",
        }
    )


def _store(project: Project, client: Any, target: str = "staging") -> ReleaseStore:
    return ReleaseStore(client, f"/Workspace/Shared/.bundle/{project.name}/{target}/state")


def _matches(client: Any, release: Release) -> None:
    """Every file, notebook and wheel in the workspace is byte for byte what the release recorded."""
    from databricks.sdk.service.workspace import ExportFormat

    for relative, recorded in release.files.items():
        if recorded.language:
            data = base64.b64decode(
                client.workspace.export(recorded.remote, format=ExportFormat.SOURCE).content
            )
        else:
            with client.workspace.download(recorded.remote) as handle:
                data = handle.read()
        assert hashlib.sha256(data).hexdigest() == recorded.hash, relative
    for artifact in release.artifacts:
        with client.workspace.download(artifact.remote) as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == artifact.hash


def _job(client: Any, project: Project, target: str = "staging") -> Any:
    state = project.state(target)
    return client.jobs.get(int(state.resources["jobs.etl"].id)).settings


def test_three_releases_and_exact_rollback_to_each(project: Project, client: Any) -> None:
    for n in (1, 2, 3):
        _version(project, n)
        project.deploy()
    store = _store(project, client)
    index = store.index()
    assert [(r.number, r.kind) for r in index.releases] == [(1, "deploy"), (2, "deploy"), (3, "deploy")]
    releases = {n: store.get(n) for n in (1, 2, 3)}
    assert releases[1].artifacts[0].name.startswith("dist/pkg-1.0.1-")
    assert releases[3].artifacts[0].hash != releases[1].artifacts[0].hash
    _matches(client, releases[3])

    outcome = rollback(project.context(), MoveOptions(auto_approve=True))  # the previous release: 2
    assert (
        outcome.release.number == 4 and outcome.release.kind == "rollback" and outcome.release.content_of == 2
    )
    _matches(client, releases[2])
    assert [t.task_key for t in _job(client, project).tasks] == ["nb", "whl"]

    rollback(project.context(), MoveOptions(auto_approve=True), to=1)
    _matches(client, releases[1])
    settings = _job(client, project)
    assert settings.tasks[1].libraries[0].whl == releases[1].artifacts[0].remote
    rollback(project.context(), MoveOptions(auto_approve=True), to=3)
    _matches(client, releases[3])
    assert [t.task_key for t in _job(client, project).tasks] == ["nb", "wheel"]
    kinds = [(r.number, r.kind, r.content_of) for r in store.index().releases]
    assert kinds[3:] == [(4, "rollback", 2), (5, "rollback", 1), (6, "rollback", 3)]

    # the checkout was never consulted: it still holds version 3 and a redeploy changes nothing
    assert project.deploy().writes == 0


def test_releases_list_what_changed(project: Project, client: Any) -> None:
    from brickyard.releases.history import list_releases

    _version(project, 1)
    project.deploy()
    _version(project, 2)
    project.deploy()
    releases = list_releases(project.context(), None)
    assert [r.number for r in releases] == [1, 2]
    assert releases[0].changes["created"] == ["jobs.etl"]
    assert releases[1].changes["updated"] == ["jobs.etl"] and releases[1].changes["files_uploaded"] >= 2
    assert releases[1].created_by == "tester@brickyard.local"


def test_promote_staging_to_prod_keeps_content_and_applies_prod_config(project: Project, client: Any) -> None:
    _version(project, 1)
    project.deploy()
    staging_release = _store(project, client).get(1)
    _version(project, 2)  # the checkout moves on; prod must get staging's release, not this
    outcome = promote(project.context(), "staging", MoveOptions(target="prod", auto_approve=True))
    prod = _store(project, client, "prod").get(outcome.release.number)
    assert prod.kind == "promote" and prod.source is not None
    assert (prod.source.target, prod.source.release) == ("staging", 1)
    assert {a.hash for a in prod.artifacts} == {a.hash for a in staging_release.artifacts}
    assert {k: f.hash for k, f in prod.files.items()} == {k: f.hash for k, f in staging_release.files.items()}
    _matches(client, prod)
    settings = _job(client, project, "prod")
    assert settings.parameters[0].default == "prod_cat"
    assert _job(client, project, "staging").parameters[0].default == "staging_cat"
    with pytest.raises(ReleaseError, match="two different targets"):
        promote(project.context(), "staging", MoveOptions(target="staging", auto_approve=True))


def test_a_target_refuses_deploys_from_other_branches(project: Project, client: Any) -> None:
    _version(project, 1)
    project.write({"brickyard.yml": "releases:\n  branches:\n    staging: release/*\n"})
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=project.root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project.root, check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], cwd=project.root, check=True)
    with pytest.raises(ReleaseError, match="deploys only from branch release/\\*, not main"):
        project.deploy()
    subprocess.run([*git, "checkout", "-q", "-b", "release/1.0"], cwd=project.root, check=True)
    project.deploy()
    release = _store(project, client).get(1)
    assert release.git.branch == "release/1.0" and len(release.git.commit) == 40


def test_an_interrupted_rollback_converges_when_run_again(project: Project, client: Any) -> None:
    for n in (1, 2):
        _version(project, n)
        project.deploy()
    fault = {
        "path": "/jobs/reset$",
        "method": "POST",
        "status": 500,
        "message": "injected outage",
        "count": 1,
    }
    client.api_client.do("PUT", "/api/2.0/brickyard/faults", body={"rules": [fault]})
    try:
        with pytest.raises(ApplyError, match="injected outage"):
            rollback(project.context(), MoveOptions(auto_approve=True))
    finally:
        client.api_client.do("DELETE", "/api/2.0/brickyard/faults")
    assert [r.number for r in _store(project, client).index().releases] == [1, 2]  # nothing recorded
    outcome = rollback(project.context(), MoveOptions(auto_approve=True), to=1)
    assert outcome.release.content_of == 1
    _matches(client, _store(project, client).get(1))


def test_credentials_passed_at_deploy_time_stay_out_of_records(project: Project, client: Any) -> None:
    _version(project, 1)
    token = "dapi" + "0123456789abcdef" * 2
    text = BUNDLE.replace(
        "variables:\n  catalog", "variables:\n  api_token: {description: passed at deploy time}\n  catalog"
    ).replace(
        "          notebook_task: {notebook_path: ./nb.py}",
        "          notebook_task: {notebook_path: ./nb.py}\n"
        "          new_cluster: {spark_version: '15.4', spark_env_vars: {API_TOKEN: '${var.api_token}'}}",
    )
    project.write({"databricks.yml": text})
    project.deploy(variables=[f"api_token={token}"])
    state_text = (project.root / ".brickyard/targets/staging/brickyard-state.json").read_text()
    assert token not in state_text and "[REDACTED sha256:" in state_text
    store = _store(project, client)
    assert token not in json.dumps(store.get(1).model_dump()) and token not in json.dumps(
        store.index().model_dump()
    )
    env = _job(client, project).tasks[0].new_cluster.spark_env_vars
    assert env == {"API_TOKEN": token}  # the workspace gets it; brickyard's records do not
    assert project.deploy(variables=[f"api_token={token}"]).writes == 0
    project.write({"nb.py": "# Databricks notebook source\nprint('v2')\n"})
    project.deploy(variables=[f"api_token={token}"])
    with pytest.raises(ReleaseError, match="credentials in its settings"):
        rollback(project.context(), MoveOptions(auto_approve=True, variables=[f"api_token={token}"]))


def test_a_plain_password_passed_as_a_variable_stays_out_of_records_and_output(
    project: Project, client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from brickyard.cli.main import run

    _version(project, 1)
    text = BUNDLE.replace(
        "variables:\n  catalog", "variables:\n  db_password: {description: at deploy time}\n  catalog"
    )
    text = text.replace(
        "          notebook_task: {notebook_path: ./nb.py}",
        "          notebook_task: {notebook_path: ./nb.py, base_parameters: {pw: '${var.db_password}'}}",
    )
    project.write({"databricks.yml": text})
    secret = "hunter2-plain"
    project.deploy(variables=[f"db_password={secret}"])
    assert secret not in (project.root / ".brickyard/targets/staging/brickyard-state.json").read_text()
    assert secret not in json.dumps(_store(project, client).get(1).model_dump())
    assert _job(client, project).tasks[0].notebook_task.base_parameters == {"pw": secret}
    import os

    os.chdir(project.root)
    assert run(["validate", "-o", "json", "--var", f"db_password={secret}"]) == 0
    captured = capsys.readouterr()
    assert secret not in captured.out and secret not in captured.err
    assert json.loads(captured.out)["variables"]["db_password"]["value"].startswith("[REDACTED")
