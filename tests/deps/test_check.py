"""`deps check`: a lock whose inputs changed, or that does not serve the project's wheel, fails."""

from __future__ import annotations

import pytest

from brickyard.cli.main import run
from brickyard.deps.check import check_project
from tests.deps.conftest import Project


@pytest.fixture
def locked(project: Project) -> Project:
    assert run(["deps", "lock", *project.index_args]) == 0
    return project


def test_a_fresh_lock_passes(locked: Project, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert run(["deps", "check"]) == 0
    assert "requirements/requirements.txt: ok" in capsys.readouterr().out


def test_editing_the_additions_makes_the_lock_stale(
    locked: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    locked.write("requirements/additional-packages.in", "tinyutil>=1.1\nstray\n")
    result = check_project(locked.root, "requirements")
    assert result.problems[0] == (
        "requirements/requirements.txt is stale: requirements/additional-packages.in changed since it was "
        "locked; run `brickyard deps lock`"
    )
    assert any("does not satisfy stray" in p and "does not list it" in p for p in result.problems)
    capsys.readouterr()
    assert run(["deps", "check"]) == 1
    assert "Error: deps check failed: 2 problems" in capsys.readouterr().err


def test_a_refreshed_baseline_makes_the_lock_stale(locked: Project) -> None:
    baseline = locked.read("requirements/runtime-baseline.in").replace("six==1.16.0", "six==1.17.0")
    locked.write("requirements/runtime-baseline.in", baseline)
    problems = check_project(locked.root, "requirements").problems
    assert "requirements/runtime-baseline.in changed" in problems[0]


def test_comments_alone_do_not_make_a_lock_stale(locked: Project) -> None:
    locked.write(
        "requirements/additional-packages.in", "# why: small helpers\ntinyutil>=1.1  # pinned loosely\n"
    )
    assert check_project(locked.root, "requirements").problems == []


def test_a_hand_edited_pin_is_found(locked: Project) -> None:
    text = locked.read("requirements/requirements.txt").replace("tinyutil==1.2", "tinyutil==1.0")
    locked.write("requirements/requirements.txt", text)
    problems = check_project(locked.root, "requirements").problems
    assert problems == [
        "requirements/requirements.txt does not satisfy tinyutil>=1.1 (requirements/additional-packages.in:1) "
        "from requirements/additional-packages.in:1: pins tinyutil==1.0"
    ]


def test_the_wheel_dependencies_must_be_satisfied_by_the_lock(locked: Project) -> None:
    locked.write(
        "pyproject.toml",
        """
        [project]
        name = "orders_etl"
        version = "1.0"
        dependencies = ["six>=1.10", "joblib>=1.4", "tinyutil", "winonly; sys_platform == 'win32'", "missing-pkg"]
        """,
    )
    problems = check_project(locked.root, "requirements").problems
    assert problems == [
        "the wheel orders_etl needs joblib>=1.4 but requirements/requirements.txt pins joblib==1.2.0",
        "the wheel orders_etl needs missing-pkg but requirements/requirements.txt does not list it",
    ]


def test_a_missing_lock_is_reported(project: Project) -> None:
    assert check_project(project.root, "requirements").problems == [
        "requirements/requirements.txt is missing; run `brickyard deps lock`"
    ]
