"""Repos API through the SDK, backed by a real git clone of a local repository."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.errors import InvalidParameterValue, NotFound, ResourceAlreadyExists
from databricks.sdk.service.workspace import ObjectType

pytestmark = pytest.mark.server


def _git(cwd: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, env=env)
    return done.stdout.strip()


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    repo = tmp_path / "origin"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "etl.py").write_text("# Databricks notebook source\nprint('main')\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one")
    _git(repo, "tag", "v1")
    _git(repo, "checkout", "-q", "-b", "feature")
    (repo / "etl.py").write_text("# Databricks notebook source\nprint('feature')\n")
    _git(repo, "commit", "-q", "-am", "two")
    _git(repo, "checkout", "-q", "main")
    return repo


def test_clone_switch_branch_and_tag_then_delete(w: Any, origin: Path) -> None:
    path = f"/Repos/tester@brickyard.local/r-{origin.parent.name}"
    repo = w.repos.create(url=f"file://{origin}", provider="gitHub", path=path)
    assert (repo.path, repo.branch) == (path, "main")
    assert repo.head_commit_id == _git(origin, "rev-parse", "main")
    assert w.workspace.get_status(path).object_type == ObjectType.REPO
    notebook = w.workspace.get_status(f"{path}/etl")
    assert notebook.object_type == ObjectType.NOTEBOOK
    w.repos.update(repo.id, branch="feature")
    assert w.repos.get(repo.id).head_commit_id == _git(origin, "rev-parse", "feature")
    assert b"feature" in w.workspace.download(f"{path}/etl").read()
    w.repos.update(repo.id, tag="v1")
    tagged = w.repos.get(repo.id)
    assert tagged.branch is None and tagged.head_commit_id == _git(origin, "rev-parse", "v1")
    assert repo.id in [r.id for r in w.repos.list(path_prefix="/Repos/tester@brickyard.local")]
    with pytest.raises(ResourceAlreadyExists):
        w.repos.create(url=str(origin), provider="gitHub", path=path)
    w.repos.delete(repo.id)
    with pytest.raises(NotFound):
        w.repos.get(repo.id)
    with pytest.raises(NotFound):
        w.workspace.get_status(path)


def test_remote_urls_and_unknown_branches_are_refused(w: Any, origin: Path) -> None:
    with pytest.raises(InvalidParameterValue, match="local repositories"):
        w.repos.create(url="https://github.com/x/y.git", provider="gitHub")
    repo = w.repos.create(
        url=str(origin), provider="gitHub", path=f"/Repos/tester@brickyard.local/b-{origin.parent.name}"
    )
    with pytest.raises(InvalidParameterValue, match="git checkout failed"):
        w.repos.update(repo.id, branch="no-such-branch")
    w.repos.delete(repo.id)
