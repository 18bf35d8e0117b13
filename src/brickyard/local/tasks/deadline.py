"""Time limits and cancellation for code that runs in the worker's main thread.

User code runs in the main thread, so a limit is an exception raised there by SIGALRM. The
exceptions derive from `BaseException`, like `KeyboardInterrupt`, so a user's `except Exception`
does not swallow a timeout. Limits nest (`dbutils.notebook.run` inside a task with a timeout): one
interval timer is armed for the earliest expiry, and the outermost limit that expired is raised.
Outside the main thread (a server calling `execute` from a thread) limits are not enforced here;
the worker's watchdog still ends a task that overruns.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

from brickyard.local.protocol import CANCELED, TIMEDOUT


class TaskInterrupt(BaseException):
    """The task must stop now; `state` is the result state to report."""

    state = CANCELED


class TaskTimedOut(TaskInterrupt):
    state = TIMEDOUT


class TaskCanceled(TaskInterrupt):
    state = CANCELED


@dataclass
class _Limit:
    expiry: float
    make: Callable[[], BaseException]
    fired: bool = field(default=False)


class Deadlines:
    """A stack of nested time limits driven by one `ITIMER_REAL` timer."""

    def __init__(self) -> None:
        self._limits: list[_Limit] = []
        self._previous: object = None

    @contextmanager
    def limit(self, seconds: float, make: Callable[[], BaseException]) -> Iterator[None]:
        """Raise `make()` in this thread if the block runs longer than `seconds` (0 = no limit)."""
        if seconds <= 0 or threading.current_thread() is not threading.main_thread():
            yield
            return
        entry = _Limit(time.monotonic() + seconds, make)
        if not self._limits:
            self._previous = signal.signal(signal.SIGALRM, self._on_alarm)
        self._limits.append(entry)
        self._arm()
        try:
            yield
        finally:
            self._limits.remove(entry)
            self._arm()
            if not self._limits:
                signal.signal(signal.SIGALRM, self._previous)  # type: ignore[arg-type]

    def _arm(self) -> None:
        pending = [limit.expiry for limit in self._limits if not limit.fired]
        if not pending:
            signal.setitimer(signal.ITIMER_REAL, 0)
            return
        signal.setitimer(signal.ITIMER_REAL, max(min(pending) - time.monotonic(), 0.001))

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        now = time.monotonic()
        expired = [limit for limit in self._limits if not limit.fired and limit.expiry <= now + 0.001]
        if not expired:
            self._arm()
            return
        # The outermost expired limit wins: a task timeout must not be reported as a child's.
        entry = expired[0]
        entry.fired = True
        self._arm()
        raise entry.make()


def install_cancel_handler() -> None:
    """SIGTERM (the server cancelling the run) raises `TaskCanceled` in the main thread."""

    def on_term(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process outright
        raise TaskCanceled("the run was canceled")

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_term)
