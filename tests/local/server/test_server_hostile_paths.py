"""Hostile paths through the real SDK: a git folder cloned from a repository with links that lead
out of the workspace, and names no file system can hold. Every answer is a Databricks 4xx, and
nothing outside the home is read or written."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path
from typing import Any

import pytest
from databricks.sdk.errors import BadRequest, DatabricksError, InvalidParameterValue, NotFound
from databricks.sdk.service.workspace import ImportFormat

pytestmark = pytest.mark.server

USER = "tester@brickyard.local"


def _git(cwd: Path, *args: str) -> None:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True, env=env)


@pytest.fixture
def hostile_repo(w: Any, tmp_path: Path) -> tuple[str, Path]:
    """A git folder whose checkout links to a folder and a file outside the home."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("top secret\n")
    origin = tmp_path / "origin"
    origin.mkdir()
    _git(origin, "init", "-q", "-b", "main")
    (origin / "etl.py").write_text("# Databricks notebook source\nprint(1)\n")
    (origin / "out_dir").symlink_to(outside, target_is_directory=True)
    (origin / "out_file").symlink_to(outside / "secret.txt")
    (origin / "job.py").symlink_to(outside / "secret.txt")
    _git(origin, "add", ".")
    _git(origin, "commit", "-q", "-m", "links")
    path = f"/Repos/{USER}/hostile-{tmp_path.name}"
    w.repos.create(url=f"file://{origin}", provider="gitHub", path=path)
    return path, outside


def test_links_out_of_a_git_folder_cannot_be_read_listed_written_or_deleted_through(
    w: Any, hostile_repo: tuple[str, Path]
) -> None:
    path, outside = hostile_repo
    for target in (f"{path}/out_file", f"{path}/out_dir/secret.txt"):
        with pytest.raises(InvalidParameterValue):
            w.workspace.get_status(target)
        with pytest.raises(InvalidParameterValue):
            w.workspace.export(target)
    with pytest.raises(NotFound):
        w.workspace.get_status(f"{path}/job")  # not a notebook through a link out
    listed = {o.path for o in w.workspace.list(path)}
    assert listed == {f"{path}/etl"}
    with pytest.raises(DatabricksError, match="outside the local workspace"):
        w.workspace.upload(f"{path}/out_dir/planted.py", b"x = 1\n", format=ImportFormat.AUTO)
    with pytest.raises(InvalidParameterValue):
        w.workspace.import_(
            f"{path}/out_file",
            content=base64.b64encode(b"gone").decode(),
            format=ImportFormat.RAW,
            overwrite=True,
        )
    with pytest.raises(InvalidParameterValue):
        w.workspace.delete(f"{path}/out_dir/secret.txt")
    w.workspace.delete(f"{path}/out_dir", recursive=True)  # the link only
    w.workspace.delete(path, recursive=True)
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text() == "top secret\n"


@pytest.mark.parametrize(
    "path",
    [
        "/Users/x/../../../etc",
        "/Users/nul\x00",
        "/Users/" + "n" * 300,
        "/Users/" + "d/" * 2100,
        "/tmp/../etc",
    ],
)
def test_unusable_paths_are_400s_on_every_path_api(w: Any, path: str) -> None:
    calls = [
        lambda: w.workspace.get_status(path),
        lambda: w.workspace.mkdirs(path),
        lambda: w.dbfs.get_status(path),
        lambda: w.dbfs.mkdirs(path),
        lambda: w.api_client.do("POST", "/api/2.0/repos", body={"url": "/nowhere", "path": "/Repos" + path}),
    ]
    for call in calls:
        with pytest.raises((InvalidParameterValue, BadRequest)):
            call()
    # HTTP clients resolve dot segments in URLs before sending; what arrives is a plain missing file
    with pytest.raises((InvalidParameterValue, BadRequest, NotFound)):
        w.files.get_metadata("/Volumes/c/s/v" + path)
