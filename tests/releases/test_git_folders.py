"""Git folders per environment: deploy creates them at the target's ref, promote moves them to the
promoted release's tag, and each environment's folder gets its own permissions. The project is a
real git repository, and the local workspace clones it for real (file:// URL)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from brickyard.context import AppContext
from brickyard.errors import ReleaseError
from brickyard.output import CaptureOutput
from brickyard.releases.cut import cut_release
from brickyard.releases.moves import MoveOptions, promote
from tests.deploy.conftest import Project

IDENTITY = {
    "GIT_AUTHOR_NAME": "Rel Ease",
    "GIT_AUTHOR_EMAIL": "rel@example.com",
    "GIT_COMMITTER_NAME": "Rel Ease",
    "GIT_COMMITTER_EMAIL": "rel@example.com",
}
BUNDLE = """
bundle:
  name: NAME
targets:
  dev:
    default: true
    mode: production
    workspace: {root_path: /Workspace/Shared/.bundle/NAME/dev}
  staging:
    mode: production
    workspace: {root_path: /Workspace/Shared/.bundle/NAME/staging}
resources:
  jobs:
    etl:
      name: NAME etl
      tasks:
        - task_key: nb
          notebook_task: {notebook_path: ./nb.py}
"""
SETTINGS = """
git_folders:
  etl:
    url: file://ROOT
    targets:
      dev: {path: /Workspace/Shared/NAME/dev/etl, branch: main}
      staging:
        path: /Workspace/Repos/NAME-staging/etl
        tag: "v*-RC"
        permissions:
          - {level: CAN_READ, group_name: analysts}
          - {level: CAN_MANAGE, user_name: release-bot@example.com}
"""


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, env={**os.environ, **IDENTITY}, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _commit(project: Project, version: int) -> str:
    project.write({"nb.py": f"# Databricks notebook source\nprint('v{version}')\n"})
    _git(project.root, "add", "-A")
    _git(project.root, "commit", "-qm", f"v{version}")
    return _git(project.root, "rev-parse", "HEAD")


def _cut(project: Project, version: str) -> None:
    ctx = AppContext(output=CaptureOutput(), cwd=project.root, environ={**os.environ, **IDENTITY})
    cut_release(ctx, version)


def _folder(client: Any, path: str) -> Any:
    (repo,) = [r for r in client.repos.list(path_prefix=path) if r.path == path]
    return client.repos.get(repo.id)


def _text(client: Any, path: str) -> str:
    with client.workspace.download(path) as handle:
        return str(handle.read().decode())


@pytest.fixture
def repo_project(project: Project) -> Project:
    project.write(
        {
            "databricks.yml": BUNDLE,
            "brickyard.yml": SETTINGS.replace("ROOT", str(project.root)),
            ".gitignore": ".brickyard/\n",
        }
    )
    _git(project.root, "init", "-q", "-b", "main")
    return project


def test_promote_moves_the_staging_git_folder_to_the_release_tag(repo_project: Project, client: Any) -> None:
    project = repo_project
    first = _commit(project, 1)
    _cut(project, "1.4-RC")
    assert _git(project.root, "tag", "--points-at", "HEAD") == "v1.4.0-RC"
    project.plan()
    assert f"Git folder etl /Workspace/Shared/{project.name}/dev/etl: create at branch main" in (
        project.outputs[-1].text()
    )
    project.deploy()
    dev_path = f"/Shared/{project.name}/dev/etl"
    dev = _folder(client, dev_path)
    assert (dev.branch, dev.head_commit_id) == ("main", first)
    assert "print('v1')" in _text(client, f"{dev_path}/nb")
    assert any(
        "Git folder etl" in line and "created, at branch main" in line
        for line in project.outputs[-1].text().splitlines()
    )

    promote(project.context(), "dev", MoveOptions(target="staging", auto_approve=True))
    staging_path = f"/Repos/{project.name}-staging/etl"
    staging = _folder(client, staging_path)
    assert staging.branch is None and staging.head_commit_id == first  # detached at the tag
    acl = client.repos.get_permissions(str(staging.id)).access_control_list
    levels = {(a.group_name or a.user_name, p.permission_level.value) for a in acl for p in a.all_permissions}
    assert {("analysts", "CAN_READ"), ("release-bot@example.com", "CAN_MANAGE")} <= levels

    # A new candidate: dev follows main to it, and promoting moves staging from the old tag to the new one.
    second = _commit(project, 2)
    _cut(project, "1.5-RC")
    project.deploy()
    assert _folder(client, dev_path).head_commit_id == second
    promote(project.context(), "dev", MoveOptions(target="staging", auto_approve=True))
    moved = _folder(client, staging_path)
    assert moved.id == staging.id and moved.head_commit_id == second
    assert "print('v2')" in _text(client, f"{staging_path}/nb")
    lines = project.outputs[-1].text().splitlines()
    assert any(f"moved from commit {first[:10]}, at tag v1.5.0-RC" in line for line in lines), lines

    project.plan()
    assert f"Git folder etl /Workspace/Shared/{project.name}/dev/etl: at branch main, unchanged" in (
        project.outputs[-1].text()
    )
    # Deploying again changes nothing: no checkout, no permission write.
    project.deploy()
    assert any(
        "etl" in line and "already, at branch main" in line
        for line in project.outputs[-1].text().splitlines()
    )


def test_a_release_without_a_matching_tag_is_refused_before_anything_is_deployed(
    repo_project: Project, client: Any
) -> None:
    project = repo_project
    _commit(project, 1)  # no release cut: no tag for staging's v*-RC
    project.deploy()
    with pytest.raises(ReleaseError, match=r"takes tags matching v\*-RC.*its tags: none"):
        promote(project.context(), "dev", MoveOptions(target="staging", auto_approve=True))
    assert not [r for r in client.repos.list(path_prefix=f"/Repos/{project.name}-staging")]
    assert len(list(client.jobs.list(name=f"{project.name} etl"))) == 1  # dev's only: staging got nothing


def test_bad_git_folder_settings_name_the_file_line_and_key(tmp_path: Path) -> None:
    from brickyard.errors import BundleError
    from brickyard.settings import load_settings

    (tmp_path / "brickyard.yml").write_text(
        "git_folders:\n  etl:\n    url: file:///srv/etl\n    targets:\n"
        "      prod: {path: /Workspace/Repos/prod/etl, branch: main, tag: v1}\n"
        "      dev: {path: etl}\n"
    )
    with pytest.raises(BundleError) as caught:
        load_settings(tmp_path)
    text = str(caught.value)
    assert "brickyard.yml:5" in text and "git_folders.etl.targets.prod" in text and "not both" in text
    assert "brickyard.yml:6" in text and "git_folders.etl.targets.dev.path" in text
