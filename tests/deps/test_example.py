"""The example project uses the workflow for real: its lock is current and its cluster passes policy."""

from __future__ import annotations

from pathlib import Path

from brickyard.deps.check import check_project
from brickyard.deps.initscript import render_init_script
from brickyard.deps.layout import Layout
from brickyard.deps.reqfiles import read_lock

EXAMPLE = Path(__file__).resolve().parents[2] / "examples"


def test_the_example_lock_matches_its_inputs_and_the_wheel() -> None:
    result = check_project(EXAMPLE, "requirements")
    assert result.checked == ["requirements/requirements.txt"] and result.problems == []
    lock = read_lock(EXAMPLE / "requirements" / "requirements.txt", "requirements.txt")
    assert lock.first("runtime") == "15.4" and lock.pins["joblib"] == "1.2.0" and "holidays" in lock.pins
    assert all(lock.hashes[name] for name in lock.pins)


def test_the_example_init_script_enforces_the_committed_lock() -> None:
    layout = Layout(EXAMPLE, "requirements", "")
    assert (EXAMPLE / "init" / "enforce-requirements.sh").read_text() == render_init_script(layout)
