"""Local cluster environments: built from a lock, cached by content, brickyard still importable."""

from __future__ import annotations

import subprocess
from pathlib import Path

from brickyard.cli.main import run
from brickyard.deps.envbuilder import build_environment
from tests.deps.conftest import Project


def _python(python: Path, code: str) -> str:
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_an_environment_is_built_from_the_lock_and_reused(project: Project, tmp_path: Path) -> None:
    assert run(["deps", "lock", *project.index_args]) == 0
    lock = project.root / "requirements" / "requirements.txt"
    cache = tmp_path / "envs"
    python = build_environment(lock, cache, index=project.index)
    assert _python(python, "import joblib, tinyutil; print(joblib.VERSION, tinyutil.VERSION)") == "1.2.0 1.2"
    assert _python(python, "import brickyard.deps, sys; print(sys.prefix)") == str(python.parent.parent)
    marker = python.parent.parent / "reused"
    marker.write_text("x")
    assert build_environment(lock, cache, index=project.index) == python and marker.exists()
    assert [p.name for p in cache.iterdir() if p.is_dir()] == [python.parent.parent.name]


def test_a_different_lock_gets_its_own_environment(project: Project, tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_text("tinyutil==1.1\nsix==1.16.0\n")
    second = tmp_path / "b.txt"
    second.write_text("tinyutil==1.2\nsix==1.16.0\n")
    cache = tmp_path / "envs"
    one = build_environment(first, cache, index=project.index)
    two = build_environment(second, cache, index=project.index)
    assert one != two
    assert _python(one, "import tinyutil; print(tinyutil.VERSION)") == "1.1"
    assert _python(two, "import tinyutil; print(tinyutil.VERSION)") == "1.2"
