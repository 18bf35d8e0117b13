"""How core code reports: an `Output` with a terminal, a JSON and a capturing implementation.

Core code never prints. It narrates (`info`, `warn`, `success`), shows progress on long work, asks
for confirmation, and hands its final `result` to the output. The terminal renderer uses rich and
writes narration to stderr so that stdout carries only results; the JSON renderer prints exactly one
JSON document on stdout (`-o json`, for CI); the capturing one keeps everything for tests.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from brickyard.errors import Diagnostic, Severity
from brickyard.state.redact import mask_text

if TYPE_CHECKING:
    from rich.console import Console

OutputFormat = Literal["text", "json"]
TextRenderer = Callable[["Console"], None]


class ProgressHandle(Protocol):
    def advance(self, amount: int = 1) -> None: ...

    def update(self, description: str) -> None: ...


class LiveHandle(Protocol):
    def update(self, renderable: Any, changes: Sequence[str] = ()) -> None:
        """Redraw the live view; `changes` are plain lines for logs where nothing redraws."""
        ...


class Output(Protocol):
    """What a command's core may say. Implementations decide how it looks."""

    format: OutputFormat

    def info(self, message: str) -> None: ...

    def warn(self, message: str) -> None: ...

    def success(self, message: str) -> None: ...

    def diagnostics(self, diagnostics: Sequence[Diagnostic]) -> None: ...

    def show(self, lines: Sequence[Any]) -> None:
        """Narration that has its own styling: rich Text objects or plain strings."""
        ...

    def result(self, data: Any, text: TextRenderer | str | None = None) -> None:
        """The command's result: `data` as JSON in json mode, `text` (or a JSON dump) otherwise."""
        ...

    def event(self, data: Any, text: str) -> None:
        """One item of a stream that goes on (`runs watch`): a JSON line in json mode, `text` otherwise."""
        ...

    def progress(self, description: str, total: int | None = None) -> Any:
        """A context manager yielding a `ProgressHandle`."""
        ...

    def confirm(self, question: str) -> bool:
        """Ask a yes/no question; False when nobody can answer (not a terminal, or json mode)."""
        ...

    def live(self) -> Any:
        """A context manager yielding a `LiveHandle`: a view redrawn in place (run progress)."""
        ...


def to_json(data: Any) -> str:
    return mask_text(json.dumps(data, indent=2, sort_keys=False, default=str))


class _NullProgress:
    def __init__(self, sink: Callable[[str], None] | None = None) -> None:
        self._sink = sink

    def advance(self, amount: int = 1) -> None:
        pass

    def update(self, description: str) -> None:
        if self._sink is not None:
            self._sink(description)


_RICH_WOULD_CHANGE = re.compile(r"[\a\b\t\v\f\r]|:\S*:")
"""What rich changes in plain text printed without markup: control codes it strips, tabs it expands,
`:name:` emoji codes it replaces. Text without any of these prints as it is."""


class TerminalOutput:
    """Rich rendering for people: colours, progress bars, narration on stderr.

    The consoles are made on first use: plain text that rich would print unchanged is written
    directly, so a command whose output is only that (`validate`) never imports rich (some 40 ms).
    """

    format: OutputFormat = "text"

    def __init__(self, stdout: Console | None = None, stderr: Console | None = None) -> None:
        self._out = stdout
        self._err = stderr

    @property
    def out(self) -> Console:
        if self._out is None:
            from rich.console import Console

            self._out = Console(highlight=False, soft_wrap=True)
        return self._out

    @property
    def err(self) -> Console:
        if self._err is None:
            from rich.console import Console

            self._err = Console(stderr=True, highlight=False, soft_wrap=True)
        return self._err

    def _plain(self, text: str, stderr: bool = False) -> None:
        """`text` and a newline, as `console.print(text, markup=False)` would print it."""
        console = self._err if stderr else self._out
        if console is None and not _RICH_WOULD_CHANGE.search(text):
            stream = sys.stderr if stderr else sys.stdout
            stream.write(text + "\n")
            stream.flush()
        else:
            (self.err if stderr else self.out).print(text, markup=False)

    def info(self, message: str) -> None:
        self._plain(mask_text(message), stderr=True)

    def warn(self, message: str) -> None:
        self.err.print(f"[yellow]Warning:[/] {_escape(mask_text(message))}")

    def success(self, message: str) -> None:
        self.err.print(f"[green]✓[/] {_escape(mask_text(message))}")

    def diagnostics(self, diagnostics: Sequence[Diagnostic]) -> None:
        colours = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}
        for diag in diagnostics:
            head, *rest = diag.render().splitlines()
            label, _, summary = head.partition(": ")
            self.err.print(f"[{colours[diag.severity]}]{label.capitalize()}:[/] {_escape(summary)}")
            for line in rest:
                self.err.print(line, markup=False)
            self.err.print()

    def show(self, lines: Sequence[Any]) -> None:
        for line in lines:
            self.err.print(line, markup=False, highlight=False)

    def result(self, data: Any, text: TextRenderer | str | None = None) -> None:
        if text is None:
            self._plain(to_json(data))
        elif isinstance(text, str):
            self._plain(mask_text(text))
        else:
            text(self.out)

    def event(self, data: Any, text: str) -> None:
        self._plain(mask_text(text))

    @contextmanager
    def progress(self, description: str, total: int | None = None) -> Iterator[ProgressHandle]:
        if not self.err.is_terminal:
            self.info(description)
            yield _NullProgress()
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

        columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}")]
        if total is not None:
            columns += [BarColumn(), MofNCompleteColumn()]
        with Progress(*columns, console=self.err, transient=True) as bar:
            task = bar.add_task(description, total=total)
            yield _RichProgress(bar, task)
        self.success(description)

    @contextmanager
    def live(self) -> Iterator[LiveHandle]:
        if not self.err.is_terminal:
            yield _LineLive(self.info)
            return
        from rich.live import Live

        with Live(console=self.err, refresh_per_second=4, transient=False) as view:
            yield _RichLive(view)

    def confirm(self, question: str) -> bool:
        if not (sys.stdin.isatty() and self.err.is_terminal):
            return False
        from rich.prompt import Confirm

        return Confirm.ask(question, console=self.err, default=False)


class _RichLive:
    def __init__(self, view: Any) -> None:
        self._view = view

    def update(self, renderable: Any, changes: Sequence[str] = ()) -> None:
        self._view.update(renderable)


class _LineLive:
    """For logs: each change is one line; nothing is redrawn."""

    def __init__(self, sink: Callable[[str], None]) -> None:
        self._sink = sink

    def update(self, renderable: Any, changes: Sequence[str] = ()) -> None:
        for line in changes:
            self._sink(line)


class _RichProgress:
    def __init__(self, bar: Any, task: Any) -> None:
        self._bar = bar
        self._task = task

    def advance(self, amount: int = 1) -> None:
        self._bar.advance(self._task, amount)

    def update(self, description: str) -> None:
        self._bar.update(self._task, description=description)


class JsonOutput:
    """One JSON document on stdout for machines; narration goes to stderr as plain lines."""

    format: OutputFormat = "json"

    def __init__(self, stdout: Any = None, stderr: Any = None) -> None:
        self._stdout = stdout or sys.stdout
        self._stderr = stderr or sys.stderr

    def _line(self, message: str) -> None:
        print(mask_text(message), file=self._stderr, flush=True)

    def info(self, message: str) -> None:
        self._line(message)

    def warn(self, message: str) -> None:
        self._line(f"Warning: {message}")

    def success(self, message: str) -> None:
        self._line(message)

    def diagnostics(self, diagnostics: Sequence[Diagnostic]) -> None:
        for diag in diagnostics:
            self._line(diag.render())

    def show(self, lines: Sequence[Any]) -> None:
        for line in lines:
            self._line(str(line))

    def result(self, data: Any, text: TextRenderer | str | None = None) -> None:
        print(to_json(data), file=self._stdout, flush=True)

    def event(self, data: Any, text: str) -> None:
        print(mask_text(json.dumps(data, default=str)), file=self._stdout, flush=True)

    @contextmanager
    def progress(self, description: str, total: int | None = None) -> Iterator[ProgressHandle]:
        self._line(description)
        yield _NullProgress()

    @contextmanager
    def live(self) -> Iterator[LiveHandle]:
        yield _LineLive(self._line)

    def confirm(self, question: str) -> bool:
        return False


@dataclass
class CaptureOutput:
    """Keeps everything a command said, for tests to assert on."""

    format: OutputFormat = "text"
    answer: bool = False
    messages: list[tuple[str, str]] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)
    found: list[Diagnostic] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)

    def info(self, message: str) -> None:
        self.messages.append(("info", message))

    def warn(self, message: str) -> None:
        self.messages.append(("warn", message))

    def success(self, message: str) -> None:
        self.messages.append(("success", message))

    def diagnostics(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.found.extend(diagnostics)

    def show(self, lines: Sequence[Any]) -> None:
        self.messages.extend(("show", str(line)) for line in lines)

    def result(self, data: Any, text: TextRenderer | str | None = None) -> None:
        self.results.append(data)

    def event(self, data: Any, text: str) -> None:
        self.results.append(data)
        self.messages.append(("event", text))

    @contextmanager
    def progress(self, description: str, total: int | None = None) -> Iterator[ProgressHandle]:
        self.messages.append(("progress", description))
        yield _NullProgress(lambda d: self.messages.append(("progress", d)))

    @contextmanager
    def live(self) -> Iterator[LiveHandle]:
        yield _LineLive(lambda line: self.messages.append(("live", line)))

    def confirm(self, question: str) -> bool:
        self.questions.append(question)
        return self.answer

    def text(self) -> str:
        return "\n".join(message for _, message in self.messages)


def make_output(fmt: OutputFormat) -> Output:
    return JsonOutput() if fmt == "json" else TerminalOutput()


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
