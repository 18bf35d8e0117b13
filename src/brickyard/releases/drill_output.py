"""The output the commands inside a drill report to: their narration, not their results.

`deploy`, `rollback` and `run` each end by handing over a result. Inside a drill those are steps,
and the drill's report is the one result (in `-o json`, the one JSON document on stdout); a step's
result text becomes a line of narration instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from brickyard.errors import Diagnostic
from brickyard.output import Output, OutputFormat, TextRenderer


class StepOutput:
    def __init__(self, inner: Output) -> None:
        self._inner = inner
        self.format: OutputFormat = inner.format

    def result(self, data: Any, text: TextRenderer | str | None = None) -> None:
        if isinstance(text, str) and text:
            self._inner.info(text)

    def info(self, message: str) -> None:
        self._inner.info(message)

    def warn(self, message: str) -> None:
        self._inner.warn(message)

    def success(self, message: str) -> None:
        self._inner.success(message)

    def diagnostics(self, diagnostics: Sequence[Diagnostic]) -> None:
        self._inner.diagnostics(diagnostics)

    def show(self, lines: Sequence[Any]) -> None:
        self._inner.show(lines)

    def event(self, data: Any, text: str) -> None:
        self._inner.event(data, text)

    def progress(self, description: str, total: int | None = None) -> Any:
        return self._inner.progress(description, total)

    def confirm(self, question: str) -> bool:
        return self._inner.confirm(question)

    def live(self) -> Any:
        return self._inner.live()
