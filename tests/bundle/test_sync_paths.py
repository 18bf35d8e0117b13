"""`sync.paths` outside the bundle root: the sync root moves up and deployed paths follow it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.bundle.conftest import NOTEBOOK, Files, errors, load

BUNDLE = """
bundle:
  name: sp
sync:
  paths: [., ../shared]
resources:
  jobs:
    j:
      name: j
      tasks:
        - task_key: nb
          notebook_task: {notebook_path: src/nb.py}
        - task_key: shared
          spark_python_task: {python_file: PYFILE}
"""


def _write(write: Callable[[Files], Path], pyfile: str = "../shared/helpers.py") -> Path:
    base = write(
        {
            "proj/databricks.yml": BUNDLE.replace("PYFILE", pyfile),
            "proj/src/nb.py": NOTEBOOK,
            "shared/helpers.py": "def greet():\n    return 'hi'\n",
            "elsewhere/x.py": "print('x')\n",
        }
    )
    return base / "proj"


def test_paths_are_deployed_relative_to_the_common_parent(write: Callable[[Files], Path]) -> None:
    bundle = load(_write(write))
    files = bundle.get("workspace", "file_path")
    tasks = bundle.get("resources", "jobs", "j", "tasks")
    assert tasks[0]["notebook_task"]["notebook_path"] == f"{files}/proj/src/nb"
    assert tasks[1]["spark_python_task"]["python_file"] == f"{files}/shared/helpers.py"
    assert bundle.get("sync", "paths") == [".", "../shared"]


def test_a_path_outside_every_synced_directory_is_an_error(write: Callable[[Files], Path]) -> None:
    """As the Databricks CLI says it: nothing synced is there, so the task could not find it."""
    root = _write(write, "../../elsewhere/x.py")
    (error,) = errors(root)
    assert error.summary.endswith("/elsewhere/x.py is not contained in sync root path")


def test_a_sync_path_that_does_not_exist_is_named(write: Callable[[Files], Path]) -> None:
    root = _write(write)
    (root / "databricks.yml").write_text(
        (root / "databricks.yml").read_text().replace("../shared", "../gone")
    )
    (found,) = [e for e in errors(root) if "sync path" in e.summary]
    assert found.path == "sync.paths[1]" and "../gone does not exist" in found.summary
    assert found.location is not None and found.location.line == 4


def test_sync_paths_in_an_included_file_are_relative_to_it(write: Callable[[Files], Path]) -> None:
    root = _write(write)
    text = (
        (root / "databricks.yml")
        .read_text()
        .replace("sync:\n  paths: [., ../shared]\n", "include: [conf/*.yml]\n")
    )
    (root / "databricks.yml").write_text(text)
    (root / "conf").mkdir()
    (root / "conf" / "sync.yml").write_text("sync:\n  paths: [.., ../../shared]\n")
    assert load(root).get("sync", "paths") == [".", "../shared"]


def test_a_sync_root_above_the_git_repository_is_an_error(write: Callable[[Files], Path]) -> None:
    """What is synced is what the repository holds: `..` may reach its root, not beyond it."""
    import shutil
    import subprocess

    base = _write(write).parent
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=base / "proj", check=True)
    (error,) = errors(base / "proj")
    assert (
        error.summary
        == f'path "{base.resolve()}" is not within repository root "{(base / "proj").resolve()}"'
    )
    # the repository one level up holds everything synced: fine
    shutil.rmtree(base / "proj" / ".git")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=base, check=True)
    assert load(base / "proj").get("sync", "paths") == [".", "../shared"]
