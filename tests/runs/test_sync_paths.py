"""Shared code synced from outside the bundle root imports from notebooks and Python files."""

from __future__ import annotations

from typing import Any

from tests.deploy.conftest import Project

BUNDLE = """
bundle:
  name: NAME
sync:
  paths: [., ../shared]
  exclude: [../shared/scratch/**]
targets:
  local:
    default: true
resources:
  jobs:
    uses_shared:
      name: NAME uses shared
      tasks:
        - task_key: nb
          notebook_task: {notebook_path: src/nb.py}
        - task_key: py
          spark_python_task: {python_file: src/task.py}
"""
NOTEBOOK = """# Databricks notebook source
import os
import sys

# the notebook's folder is the working directory, as on Databricks: the checkout's layout is kept
sys.path.append(os.path.abspath("../../shared"))
from helpers import greet

dbutils.notebook.exit(greet())
"""
TASK = """import os
import sys

sys.path.append(os.path.abspath("../../shared"))
from helpers import greet

assert greet() == "hi from shared"
"""


def test_shared_code_outside_the_root_is_synced_and_importable(project: Project, client: Any) -> None:
    bundle_dir = project.root / "bundle"
    project.root = bundle_dir
    project.write({"databricks.yml": BUNDLE, "src/nb.py": NOTEBOOK, "src/task.py": TASK})
    shared = bundle_dir.parent / "shared"
    (shared / "scratch").mkdir(parents=True)
    (shared / "helpers.py").write_text("def greet():\n    return 'hi from shared'\n")
    (shared / "scratch" / "big.csv").write_text("not deployed\n")
    project.deploy()
    files = project.files_path
    listed = {f"/Workspace{o.path}" for o in client.workspace.list(files, recursive=True)}
    assert {f"{files}/bundle/src/nb", f"{files}/bundle/src/task.py", f"{files}/shared/helpers.py"} <= listed
    assert not any("scratch" in path for path in listed)
    outcome = project.run("uses_shared")
    assert outcome.succeeded
    assert {t.task_key: t.output for t in outcome.tasks}["nb"] == "hi from shared"
