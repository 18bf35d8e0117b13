"""`deps lock`: reproducible, hashed, and a conflict with the runtime explained from both sides."""

from __future__ import annotations

import pytest

from brickyard.cli.main import run
from brickyard.deps.layout import Layout
from brickyard.deps.lock import lock_inputs, read_inputs
from brickyard.deps.reqfiles import parse_lock
from brickyard.errors import DepsError
from tests.deps.conftest import Project


def _layout(project: Project) -> Layout:
    return Layout(project.root, "requirements", "")


def test_same_inputs_give_the_same_bytes(project: Project) -> None:
    first = lock_inputs(read_inputs(_layout(project)), project.index)
    locked = project.read("requirements/requirements.txt")
    (project.root / "requirements" / "requirements.txt").unlink()
    (project.root / "requirements" / "requirements-combined.in").unlink()
    second = lock_inputs(read_inputs(_layout(project)), project.index)
    assert project.read("requirements/requirements.txt") == locked
    assert first.changed and second.changed and first.input_hash == second.input_hash
    third = lock_inputs(read_inputs(_layout(project)), project.index)
    assert not third.changed  # an up-to-date lock is not rewritten


def test_lock_pins_every_package_with_a_hash_and_records_its_inputs(project: Project) -> None:
    lock_inputs(read_inputs(_layout(project)), project.index)
    lock = parse_lock(project.read("requirements/requirements.txt"))
    assert lock.pins == {"joblib": "1.2.0", "six": "1.16.0", "tinyutil": "1.2"}
    assert all(lock.hashes[name] and lock.hashes[name][0].startswith("sha256:") for name in lock.pins)
    assert lock.first("runtime") == "15.4" and lock.first("python") == "3.11"
    assert lock.first("inputs").startswith("sha256:")  # type: ignore[union-attr]
    assert lock.header["system"] == ["dbus-python"]
    combined = project.read("requirements/requirements-combined.in")
    assert combined.index("joblib==1.2.0") < combined.index("tinyutil>=1.1")


def test_an_addition_needing_a_newer_runtime_package_names_both_sides(project: Project) -> None:
    project.write("requirements/additional-packages.in", "# models\ntinyutil>=1.1\nmlkit>=2\n")
    with pytest.raises(DepsError) as info:
        lock_inputs(read_inputs(_layout(project)), project.index)
    message = str(info.value)
    assert "joblib is required in incompatible ways" in message
    assert "joblib==1.2.0 required by the runtime 15.4 (requirements/runtime-baseline.in:6)" in message
    assert (
        "joblib>=1.4 required by the project (requirements/additional-packages.in:3) "
        "through mlkit>=2 -> fastjob==1.0 -> joblib>=1.4" in message
    )
    assert "uv says:" in message and "unsatisfiable" in message
    assert not (project.root / "requirements" / "requirements.txt").exists()


def test_cli_lock_then_conflict_exit_codes(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["deps", "lock", *project.index_args]) == 0
    assert "requirements/requirements.txt: 3 packages" in capsys.readouterr().out
    project.write("requirements/additional-packages.in", "fastjob\n")
    assert run(["deps", "lock", *project.index_args]) == 1
    err = capsys.readouterr().err
    assert "\nError: the additions conflict" in err and "fastjob" in err and "Traceback" not in err


def test_settings_index_options_are_used(project: Project) -> None:
    project.write(
        "brickyard.yml", f"deps:\n  index:\n    no_index: true\n    find_links: [{project.wheels}]\n"
    )
    assert run(["deps", "lock", "--offline"]) == 0
    assert "tinyutil==1.2" in project.read("requirements/requirements.txt")


def test_a_runtime_that_does_not_match_the_baseline_is_refused(project: Project) -> None:
    from brickyard.deps.runtimes import Runtime

    with pytest.raises(DepsError, match=r"describes runtime 15.4, not 16.4"):
        read_inputs(_layout(project), Runtime.parse("16.4"))
