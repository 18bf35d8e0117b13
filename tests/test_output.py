"""The terminal output prints plain text itself when rich would print it unchanged, and the same bytes."""

from __future__ import annotations

import pytest
from rich.console import Console

from brickyard.output import TerminalOutput

TEXTS = [
    "Validation OK!",
    "",
    "Name: orders\nTarget: local\nWorkspace:\n  Host: local\n  Path: /Workspace/Users/a@b.c/.bundle/x",
    "trailing spaces   \n\n\nblank lines above",
    "wide ✓ ünïcödé 漢字 and emoji 🚀 " + "long line " * 40,
    "https://adb-1.2.azuredatabricks.net:443/?o=1 and dbfs:/a",
    '{\n  "a": "b:c",\n  "d": [1, 2]\n}',
    "a tab\there",  # rich expands tabs
    "a :rocket: code",  # rich replaces emoji codes
    "carriage\rreturn, bell\a, form\ffeed",  # rich strips these control codes
    "an escape \x1b[31m kept",
    "s3://bucket:path:more",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_plain_result_prints_exactly_as_rich_prints_it(
    text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    Console(highlight=False, soft_wrap=True).print(text, markup=False)
    expected = capsys.readouterr().out
    output = TerminalOutput()
    output.result(None, text)
    output.event(None, text)
    output.info(text)
    printed = capsys.readouterr()
    assert printed.out == expected * 2 and printed.err == expected
