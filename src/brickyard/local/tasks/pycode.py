"""Running user Python, and describing its failures in the user's terms.

A cell is compiled under a name like `/Users/a/etl, cell 3`, and its lines are registered with
`linecache`, so a traceback shows the notebook's own code. The frames that lead into user code are
dropped from the trace: the user did not write them and cannot act on them.
"""

from __future__ import annotations

import ast
import linecache
import sysconfig
import traceback
from pathlib import Path
from typing import Any

_MACHINERY = (str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent / "worker.py"))
_LIBRARIES = tuple(
    {str(Path(sysconfig.get_paths()[key]).resolve()) for key in ("purelib", "platlib", "stdlib")}
)


def cell_filename(path: str, index: int) -> str:
    return f"{path}, cell {index}"


def run_cell(code: str, filename: str, namespace: dict[str, Any], show: Any = None) -> None:
    """Execute `code` in `namespace`; a trailing expression's value is shown, as a notebook shows it."""
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    tree = ast.parse(code, filename, "exec")
    last: ast.Expr | None = None
    if show is not None and tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body.pop()  # type: ignore[assignment]
    exec(compile(tree, filename, "exec"), namespace)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), filename, "eval"), namespace)
        if value is not None:
            show(value)


def one_line(exc: BaseException) -> str:
    """`Type: first line of the message`, the `error` of a failed run."""
    message = str(exc).strip().split("\n", 1)[0]
    name = type(exc).__name__
    return f"{name}: {message}" if message else name


def user_trace(exc: BaseException) -> str:
    """The traceback of the user's code: the whole chain, causes included.

    The worker's own frames are dropped wherever they are (a `%run` or `dbutils.notebook.run`
    puts some between two notebooks' cells). Library frames are dropped until the first user
    frame: the libraries the worker calls on the user's behalf (running a SQL cell calls pyspark)
    are not the user's code, so an error raised there shows just itself and its notes.
    """
    summary = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    seen: set[int] = set()
    pending = [summary]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        current.stack = traceback.StackSummary.from_list(_user_frames(current.stack))
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
    return "".join(summary.format())


def _user_frames(stack: traceback.StackSummary) -> list[traceback.FrameSummary]:
    frames: list[traceback.FrameSummary] = []
    for frame in stack:
        internal = frame.filename.startswith((*_MACHINERY, "<frozen "))
        library = frame.filename.startswith(_LIBRARIES)
        if not internal and (frames or not library):
            frames.append(frame)
    return frames
