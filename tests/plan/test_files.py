"""Which files a deploy syncs: what git would commit, shaped by `sync:`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from brickyard.plan.files import inventory


def _tree(root: Path) -> None:
    for name, text in {
        ".gitignore": "dist/\n*.log\n",
        "src/job.py": "print(1)\n",
        "nb.py": "# Databricks notebook source\nprint(2)\n",
        "dist/pkg-1.0-py3-none-any.whl": "wheel",
        "dist/notes.txt": "x",
        "run.log": "noise",
        "scratch/tmp.py": "x = 1\n",
        ".brickyard/local/token": "secret-ish",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_gitignore_sync_exclude_and_include(tmp_path: Path) -> None:
    _tree(tmp_path)
    files = {f.relative: f for f in inventory(tmp_path, include=["dist/*.whl"], exclude=["scratch/**"])}
    assert sorted(files) == [".gitignore", "dist/pkg-1.0-py3-none-any.whl", "nb.py", "src/job.py"]
    assert files["nb.py"].language == "PYTHON" and files["src/job.py"].language is None
    assert files["nb.py"].remote("/Workspace/x/files") == "/Workspace/x/files/nb"


def test_inside_git_the_index_decides(tmp_path: Path) -> None:
    _tree(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "src" / ".gitignore").write_text("job.py\n")  # nested ignores count too
    assert sorted(f.relative for f in inventory(tmp_path)) == [
        ".gitignore",
        "nb.py",
        "scratch/tmp.py",
        "src/.gitignore",
    ]


def test_the_same_content_has_the_same_hash(tmp_path: Path) -> None:
    _tree(tmp_path)
    first = {f.relative: f.hash for f in inventory(tmp_path)}
    (tmp_path / "src" / "job.py").write_text("print(1)\n")
    assert {f.relative: f.hash for f in inventory(tmp_path)} == first
    (tmp_path / "src" / "job.py").write_text("print(3)\n")
    assert {f.relative: f.hash for f in inventory(tmp_path)}["src/job.py"] != first["src/job.py"]
