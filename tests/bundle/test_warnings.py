"""Warnings: the bundle still loads, and each warning says where and what to do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from brickyard.errors import Severity
from tests.bundle.conftest import NOTEBOOK, Files, load

TEXT = """
bundle: {name: warn}
resources:
  jobs:
    j:
      name: j
      max_concurent_runs: 3
      tasks:
        - task_key: a
          notebook_task: {notebook_path: ./nb.py}
          libraries: [{whl: ./dist/pkg-0.1-py3-none-any.whl}]
  postgres_projects:
    lake: {name: lake}
unknown_section: {}
"""


def test_unknown_keys_name_the_nearest_valid_key(write: Callable[[Files], Path]) -> None:
    bundle = load(write({"databricks.yml": TEXT, "nb.py": NOTEBOOK}))
    warnings = {d.summary: d for d in bundle.warnings}
    typo = warnings["unknown field: max_concurent_runs"]
    assert typo.path == "resources.jobs.j" and str(typo.location) == "databricks.yml:6:7"
    top = warnings["unknown field: unknown_section"]
    assert top.path == "" and str(top.location) == "databricks.yml:13:1"
    assert all(d.severity is Severity.WARNING for d in bundle.diagnostics)


def test_resource_kinds_brickyard_cannot_deploy_are_kept_with_a_warning(
    write: Callable[[Files], Path],
) -> None:
    bundle = load(write({"databricks.yml": TEXT, "nb.py": NOTEBOOK}))
    (kept,) = [d for d in bundle.warnings if "not deployable" in d.summary]
    assert kept.summary == "postgres_projects are not deployable by brickyard yet; deploy leaves lake out"
    assert bundle.resources("postgres_projects") == {"lake": {"name": "lake"}}


def test_missing_library_is_a_warning_until_deploy(write: Callable[[Files], Path]) -> None:
    bundle = load(write({"databricks.yml": TEXT, "nb.py": NOTEBOOK}))
    (lib,) = [d for d in bundle.warnings if d.summary.startswith("library")]
    assert lib.path == "resources.jobs.j.tasks[0].libraries[0].whl"
    assert str(lib.location) == "databricks.yml:10:29"
