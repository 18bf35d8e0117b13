"""Values the API's types cannot hold are reported with their location, never passed on or crashed on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.bundle.conftest import Files, errors

HEAD = "bundle: {name: limits}\nresources:\n  jobs:\n    j:\n"


def test_an_integer_beyond_64_bits_is_an_error_at_its_line(write: Callable[[Files], Path]) -> None:
    root = write({"databricks.yml": HEAD + f"      name: j\n      max_concurrent_runs: {2**80}\n"})
    (diag,) = errors(root)
    assert diag.summary == f"{2**80} does not fit in a 64-bit integer"
    assert str(diag.location) == "databricks.yml:6:28"
    assert diag.path == "resources.jobs.j.max_concurrent_runs"


def test_a_huge_integer_where_text_belongs_becomes_its_text(write: Callable[[Files], Path]) -> None:
    from tests.bundle.conftest import load

    root = write({"databricks.yml": HEAD + f"      name: {2**80}\n"})
    assert load(root).resources("jobs")["j"]["name"] == str(2**80)


def test_names_longer_than_the_api_accepts_are_errors(write: Callable[[Files], Path]) -> None:
    long_key = "k" * 101
    root = write(
        {
            "databricks.yml": HEAD
            + f"      name: {'n' * 5000}\n      tasks:\n        - task_key: {long_key}\n"
            "          notebook_task: {notebook_path: /Workspace/nb}\n"
        }
    )
    found = {d.path: d.summary for d in errors(root)}
    assert found == {
        "resources.jobs.j.name": "the job name is 5000 characters long; the API accepts at most 4096",
        "resources.jobs.j.tasks[0].task_key": "task_key is 101 characters long; the API accepts at most 100",
    }
