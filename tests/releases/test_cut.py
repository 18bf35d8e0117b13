"""`release cut` in real git repositories made for each test."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from brickyard.context import AppContext
from brickyard.errors import ReleaseError, UsageError
from brickyard.output import CaptureOutput
from brickyard.releases.cut import cut_release
from tests.deploy.conftest import Project

IDENTITY = {
    "GIT_AUTHOR_NAME": "Rel Ease",
    "GIT_AUTHOR_EMAIL": "rel@example.com",
    "GIT_COMMITTER_NAME": "Rel Ease",
    "GIT_COMMITTER_EMAIL": "rel@example.com",
}


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, env={**os.environ, **IDENTITY}, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "README.md").write_text("project\n")
    _git(path, "init", "-q", "-b", "main")
    _git(path, "add", "-A")
    _git(path, "commit", "-qm", "first")
    return path


def _ctx(repo: Path) -> AppContext:
    return AppContext(output=CaptureOutput(), cwd=repo, environ={**os.environ, **IDENTITY})


def test_cut_creates_the_branch_and_an_annotated_tag_at_the_current_commit(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    head = _git(repo, "rev-parse", "HEAD")
    cut = cut_release(_ctx(repo), "1.4")
    assert (cut.branch, cut.tag, cut.commit) == ("release/1.4", "v1.4.0", head)
    assert _git(repo, "rev-parse", "release/1.4") == head
    assert _git(repo, "rev-parse", "v1.4.0^{commit}") == head
    assert _git(repo, "cat-file", "-t", "v1.4.0") == "tag"  # annotated: `git describe` sees it
    assert _git(repo, "rev-parse", "--abbrev-ref", "HEAD") == "main"  # the checkout did not move


def test_cut_refuses_existing_names_dirty_trees_and_bad_versions(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    cut_release(_ctx(repo), "1.4")
    with pytest.raises(ReleaseError, match=r"branch release/1.4 already exists"):
        cut_release(_ctx(repo), "1.4")
    _git(repo, "branch", "-D", "release/1.4")
    with pytest.raises(ReleaseError, match=r"tag v1.4.0 already exists"):
        cut_release(_ctx(repo), "1.4")
    assert _git(repo, "branch", "--list", "release/1.4") == ""  # refused before creating anything

    (repo / "notes.txt").write_text("untracked\n")
    with pytest.raises(ReleaseError, match=r"1 uncommitted change.*--allow-dirty"):
        cut_release(_ctx(repo), "1.5")
    (repo / "README.md").write_text("edited\n")
    with pytest.raises(ReleaseError, match=r"2 uncommitted change"):
        cut_release(_ctx(repo), "1.5")
    assert cut_release(_ctx(repo), "1.5", allow_dirty=True).commit == _git(repo, "rev-parse", "HEAD")

    for bad in ("1", "1.2.3", "v1.2", "a.b", "01.2", "1.-2", ""):
        with pytest.raises(UsageError, match=r"major.minor"):
            cut_release(_ctx(repo), bad)

    outside = AppContext(
        output=CaptureOutput(),
        cwd=tmp_path,
        environ={**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)},
    )
    with pytest.raises(ReleaseError, match=r"not inside a git repository"):
        cut_release(outside, "2.0")
    empty = tmp_path / "empty"
    empty.mkdir()
    _git(empty, "init", "-q")
    with pytest.raises(ReleaseError, match=r"no commit yet"):
        cut_release(_ctx(empty), "2.0")


def test_a_cut_branch_deploys_to_a_target_that_takes_only_release_branches(
    project: Project, client: Any
) -> None:
    project.write(
        {
            "databricks.yml": """
                bundle:
                  name: NAME
                targets:
                  prod:
                    default: true
                    mode: production
                    workspace: {root_path: /Workspace/Shared/.bundle/NAME/prod}
                resources:
                  jobs:
                    etl:
                      name: NAME etl
                      tasks:
                        - task_key: t
                          spark_python_task: {python_file: ./etl.py}
            """,
            "etl.py": "print('etl')\n",
            "brickyard.yml": "releases:\n  branches:\n    prod: release/*\n",
        }
    )
    _repo(project.root)
    with pytest.raises(ReleaseError, match=r"deploys only from branch release/\*, not main"):
        project.deploy()
    cut_release(_ctx(project.root), "2.1")
    _git(project.root, "checkout", "-q", "release/2.1")
    project.deploy()
    from brickyard.releases.store import ReleaseStore

    release = ReleaseStore(client, f"/Workspace/Shared/.bundle/{project.name}/prod/state").get(1)
    assert (release.git.branch, release.git.tags) == ("release/2.1", ["v2.1.0"])


def test_the_cli_prints_the_cut_and_exits_2_on_a_bad_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from brickyard.cli.main import run

    repo = _repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    for name, value in IDENTITY.items():
        monkeypatch.setenv(name, value)
    assert run(["release", "cut", "3.0", "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["tag"] == "v3.0.0"
    assert run(["release", "cut", "3.0.1"]) == 2
    assert "must be major.minor" in capsys.readouterr().err
    assert run(["release", "cut", "3.0"]) == 1
    assert "Error: branch release/3.0 already exists" in capsys.readouterr().err
