"""How `brickyard run` shows a finished run (no server)."""

from __future__ import annotations

from rich.console import Console

from brickyard.runs import _render_job
from brickyard.runs.job import RunOutcome, TaskOutcome, printed


def _rendered(outcome: RunOutcome) -> str:
    console = Console(record=True, width=120)
    _render_job(console, outcome)
    return console.export_text()


def test_successful_tasks_show_what_they_printed_and_notebooks_their_exit_value() -> None:
    logs = "brickyard: cluster environment abc (reused)\n" + "".join(f"row {i}\n" for i in range(15))
    outcome = RunOutcome(
        1,
        "http://x/run/1",
        "TERMINATED",
        "SUCCESS",
        tasks=[
            TaskOutcome("printer", 2, "TERMINATED", "SUCCESS", 1.0, output=printed(logs), logs=logs),
            TaskOutcome("notebook", 3, "TERMINATED", "SUCCESS", 1.0, output="done", logs="ignored\n"),
        ],
    )

    text = _rendered(outcome)

    assert "row 14" in text and "row 4" not in text and "5 more line(s)" in text
    assert "brickyard: cluster environment" not in text
    assert "output: done" in text and "ignored" not in text
