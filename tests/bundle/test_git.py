"""`bundle.git`: what the checkout says, and whether the branch came from it or from the configuration."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.bundle.conftest import Files, load

GIT = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]


def _checkout(write: Callable[[Files], Path], bundle: str) -> Path:
    root = write({"etl/databricks.yml": bundle})
    for args in (
        ["init", "-q", "-b", "main"],
        ["remote", "add", "origin", "https://git.example.com/acme/etl.git"],
        ["add", "-A"],
        ["commit", "-qm", "init"],
    ):
        subprocess.run([*GIT, *args], cwd=root, check=True)
    return root / "etl"


def _head(root: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def test_branch_taken_from_the_checkout_is_marked_inferred(write: Callable[[Files], Path]) -> None:
    root = _checkout(write, "bundle: {name: etl}\n")
    assert load(root).get("bundle", "git") == {
        "actual_branch": "main",
        "branch": "main",
        "bundle_root_path": "etl",
        "commit": _head(root),
        "inferred": True,
        "origin_url": "https://git.example.com/acme/etl.git",
    }


def test_configured_branch_is_kept_and_not_inferred(write: Callable[[Files], Path]) -> None:
    root = _checkout(write, "bundle: {name: etl, git: {branch: release}}\n")
    git = load(root).get("bundle", "git")
    assert git["branch"] == "release" and git["actual_branch"] == "main"
    assert "inferred" not in git


def test_a_repository_without_a_commit_has_the_branch_its_head_names(write: Callable[[Files], Path]) -> None:
    root = write({"etl/databricks.yml": "bundle: {name: etl, git: {branch: main}}\n"})
    subprocess.run([*GIT, "init", "-q", "-b", "main"], cwd=root, check=True)
    git = load(root / "etl").get("bundle", "git")
    assert git["actual_branch"] == "main" and git["bundle_root_path"] == "etl"
    assert "commit" not in git
