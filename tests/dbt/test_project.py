"""Finding the dbt project a command works on: the bundle's dbt_tasks, or --project-dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from brickyard.bundle import LoadOptions, load_bundle
from brickyard.bundle.model import Bundle
from brickyard.bundle.resolve import local_user
from brickyard.dbt.project import bundle_projects, choose_project
from brickyard.errors import DbtError
from tests.dbt.shop import write_shop


def _bundle(root: Path) -> Bundle:
    return load_bundle(root, LoadOptions(current_user=local_user))


def test_the_project_of_a_dbt_task_is_found_in_the_checkout_with_its_task_settings(tmp_path: Path) -> None:
    root = write_shop(tmp_path / "b")
    (project,) = bundle_projects(_bundle(root))
    assert project.directory == (root / "dbt").resolve()
    assert (project.name, project.profile, project.schema) == ("shop", "shop", "shop")
    assert project.task == "jobs.shop_job.tasks.build"


def test_no_dbt_task_and_no_project_dir_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "databricks.yml").write_text("bundle: {name: empty}\n")
    with pytest.raises(DbtError, match=r"no dbt_task.*--project-dir"):
        choose_project(_bundle(tmp_path), None)
    with pytest.raises(DbtError, match=r"has no dbt_project\.yml"):
        choose_project(_bundle(tmp_path), tmp_path)


def test_a_project_file_without_a_name_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_text("version: '1.0'\n")
    with pytest.raises(DbtError, match=r"dbt_project.yml: `name` is required"):
        choose_project(None, tmp_path)


def test_an_invalid_project_file_is_reported_with_the_line_it_breaks_on(tmp_path: Path) -> None:
    (tmp_path / "dbt_project.yml").write_text("name: shop\nmodels:\n  a: [1\n  b: 2\n")
    with pytest.raises(DbtError) as caught:
        choose_project(None, tmp_path)
    assert "dbt_project.yml is not valid YAML" in str(caught.value)
    assert "line 4, column 4:\n      b: 2\n       ^" in str(caught.value)  # the line itself, quoted


def test_a_renamed_project_is_seen_although_its_names_are_remembered(tmp_path: Path) -> None:
    root = write_shop(tmp_path / "b")
    assert [p.name for p in bundle_projects(_bundle(root))] == ["shop"]
    assert (root / ".brickyard" / "cache" / "yaml").is_dir()
    project_file = root / "dbt" / "dbt_project.yml"
    project_file.write_text(project_file.read_text().replace("name: shop", "name: store", 1))
    (project,) = bundle_projects(_bundle(root))
    assert (project.name, project.profile) == ("store", "shop")
