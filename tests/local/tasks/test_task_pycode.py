"""Running a cell and describing its failure in the user's terms."""

from __future__ import annotations

import sysconfig
from pathlib import Path
from traceback import FrameSummary, StackSummary
from typing import Any

from brickyard.local.tasks import pycode
from brickyard.local.tasks.pycode import cell_filename, one_line, run_cell, user_trace


def test_a_trailing_expression_is_shown_and_statements_are_not() -> None:
    shown: list[Any] = []
    namespace: dict[str, Any] = {}

    run_cell("a = 2\na * 21", cell_filename("/Users/me/nb", 1), namespace, show=shown.append)
    run_cell("b = a", cell_filename("/Users/me/nb", 2), namespace, show=shown.append)
    run_cell("None", cell_filename("/Users/me/nb", 3), namespace, show=shown.append)

    assert shown == [42]
    assert namespace["b"] == 2


def test_the_trace_starts_at_the_cell_and_shows_its_code() -> None:
    namespace: dict[str, Any] = {}
    run_cell("def fail():\n    raise KeyError('missing')", cell_filename("/Users/me/nb", 1), namespace)
    try:
        run_cell("x = 1\nfail()", cell_filename("/Users/me/nb", 2), namespace)
    except KeyError as exc:
        trace = user_trace(exc)
        error = one_line(exc)
    assert error == "KeyError: 'missing'"
    lines = trace.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    cell = lines.index('  File "/Users/me/nb, cell 2", line 2, in <module>')
    assert lines[cell + 1] == "    fail()"
    assert "raise KeyError('missing')" in trace
    assert "brickyard/local/tasks" not in trace


def test_worker_frames_go_and_library_frames_go_until_the_first_user_frame() -> None:
    site = sysconfig.get_paths()["purelib"]
    worker = str(Path(pycode.__file__).parent)
    cell = FrameSummary("/Users/me/nb, cell 1", 2, "<module>")
    library_call = FrameSummary(f"{site}/pandas/frame.py", 3, "apply")
    stack = StackSummary.from_list(
        [
            FrameSummary(f"{worker}/notebook.py", 1, "execute"),
            FrameSummary(f"{site}/pyspark/sql/session.py", 1, "sql"),
            cell,
            FrameSummary(f"{worker}/notebook.py", 9, "run_child"),
            library_call,
        ]
    )

    assert pycode._user_frames(stack) == [cell, library_call]
    assert pycode._user_frames(StackSummary.from_list([library_call])) == []
