"""Paths from requests stay inside the local workspace home: names the file system cannot hold are
400s, and symbolic links that lead out (from a cloned repository, or a task) are never followed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from brickyard.local.apierror import ApiError
from brickyard.local.protocol import storage_file, workspace_file
from brickyard.local.store.db import Database
from brickyard.local.store.dbfs import Dbfs
from brickyard.local.store.volumes import Volumes
from brickyard.local.store.workspace import WorkspaceTree
from brickyard.local.store.workspace_io import export_object, import_object

USER = "me@x"
BAD_PATHS = [
    "/Users/a/../../../etc/passwd",
    "/Users/nul\x00byte",
    "/Users/" + "n" * 256,
    "/Users/" + "/".join(["d"] * 2100),
    "/Users/lone\ud800surrogate",
]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the home, with a secret in it, that links will point at."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("top secret\n")
    return folder


@pytest.fixture
def tree(tmp_path: Path, outside: Path) -> WorkspaceTree:
    tree = WorkspaceTree(Database(tmp_path / "home" / "m.db"), tmp_path / "home" / "workspace", USER)
    repo = tree.file_of(f"/Repos/{USER}/r")
    repo.mkdir(parents=True)
    (repo / "ok.py").write_text("X = 1\n")
    (repo / "out_dir").symlink_to(outside, target_is_directory=True)
    (repo / "out_file").symlink_to(outside / "secret.txt")
    (repo / "nb.py").symlink_to(outside / "secret.txt")
    (repo / "in_link").symlink_to(repo / "ok.py")
    return tree


def _refused(call: object, *args: object) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call(*args)  # type: ignore[operator]
    assert caught.value.status == 400 and caught.value.error_code == "INVALID_PARAMETER_VALUE"
    return caught.value


@pytest.mark.parametrize("path", BAD_PATHS)
def test_unusable_names_are_invalid_parameter_values(tree: WorkspaceTree, tmp_path: Path, path: str) -> None:
    _refused(tree.status, path)
    _refused(tree.mkdirs, path)
    _refused(Dbfs(tmp_path / "storage").status, path)
    _refused(Volumes(tmp_path / "storage").file_of, "/Volumes/c/s/v" + path)


def test_links_out_of_a_git_folder_are_neither_read_nor_written(tree: WorkspaceTree, outside: Path) -> None:
    repo = f"/Repos/{USER}/r"
    for path in (f"{repo}/out_file", f"{repo}/out_dir", f"{repo}/out_dir/secret.txt"):
        _refused(tree.status, path)
        _refused(export_object, tree, path, "AUTO")
    _refused(import_object, tree, f"{repo}/out_dir/new.py", b"x", "AUTO", None, True)
    _refused(import_object, tree, f"{repo}/out_file", b"overwritten", "RAW", None, True)
    _refused(tree.mkdirs, f"{repo}/out_dir/sub")
    listed = {entry["path"] for entry in tree.list(repo)}
    assert listed == {f"{repo}/ok.py", f"{repo}/in_link"}, "links out are not part of the workspace"
    archive = export_object(tree, repo, "SOURCE")[0]
    assert b"top secret" not in archive
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text() == "top secret\n"


def test_deleting_a_link_removes_the_link_not_its_target(tree: WorkspaceTree, outside: Path) -> None:
    repo = f"/Repos/{USER}/r"
    tree.delete(f"{repo}/out_dir", recursive=True)
    tree.delete(f"{repo}/out_file", recursive=False)
    _refused(tree.delete, f"{repo}/nb.py/x", True)
    tree.delete(repo, recursive=True)
    assert (outside / "secret.txt").read_text() == "top secret\n"
    assert not tree.file_of(repo).exists()


def test_a_link_inside_the_tree_still_works(tree: WorkspaceTree) -> None:
    assert tree.status(f"/Repos/{USER}/r/in_link")["object_type"] == "FILE"


def test_dbfs_refuses_links_out_and_deletes_only_the_link(tmp_path: Path, outside: Path) -> None:
    dbfs = Dbfs(tmp_path / "storage")
    (tmp_path / "storage" / "dbfs" / "out").symlink_to(outside, target_is_directory=True)
    _refused(dbfs.status, "dbfs:/out/secret.txt")
    _refused(dbfs.read, "/out/secret.txt", 0, 0)
    _refused(dbfs.put, "/out/new", b"x", True)
    dbfs.move("/out", "/elsewhere")  # moves the link itself
    _refused(dbfs.status, "/elsewhere/secret.txt")
    assert dbfs.list("/") == []
    dbfs.delete("/elsewhere", recursive=True)
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


def test_volumes_refuse_links_out_below_the_volume_but_allow_external_volumes(
    tmp_path: Path, outside: Path
) -> None:
    volumes = Volumes(tmp_path / "storage")
    external = tmp_path / "storage" / "volumes" / "c" / "s" / "ext"
    external.parent.mkdir(parents=True)
    external.symlink_to(outside, target_is_directory=True)
    assert volumes.existing_file("/Volumes/c/s/ext/secret.txt").read_text() == "top secret\n"
    volumes.mkdirs("/Volumes/c/s/v")
    (tmp_path / "storage" / "volumes" / "c" / "s" / "v" / "out").symlink_to(outside, target_is_directory=True)
    _refused(volumes.existing_file, "/Volumes/c/s/v/out/secret.txt")
    _refused(volumes.put, "/Volumes/c/s/v/out/new", b"x", True)
    assert volumes.list_dir("/Volumes/c/s/v") == []
    volumes.delete_file("/Volumes/c/s/v/out")
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


def test_worker_side_path_mapping_refuses_links_out(tmp_path: Path, outside: Path) -> None:
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError, match="outside"):
        workspace_file(tmp_path / "ws", "/Workspace/link/secret.txt")
    os.makedirs(tmp_path / "st" / "dbfs")
    (tmp_path / "st" / "dbfs" / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError, match="outside"):
        storage_file(tmp_path / "st", "dbfs:/link/secret.txt")
