"""Secret redaction for everything a task prints, and for what its result says.

Databricks replaces every secret value a notebook fetched with `[REDACTED]` in its output. Here the
task's file descriptors 1 and 2 are pointed at pipes that a thread reads, redacts and forwards to
the real log. Working on descriptors, not on `sys.stdout`, also covers subprocesses (`%sh`, dbt's
console), C extensions and the logging module. The reader holds back a tail that could be the start
of a secret until the next bytes show whether it is one, so a value split across two writes is still
caught.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import threading
import time
from typing import Any

REDACTED = "[REDACTED]"
_CHUNK = 65536
_IDLE = 0.05


class Redactor:
    """The set of secret values fetched so far; thread safe because the fd readers use it concurrently."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: list[bytes] = []

    def add(self, value: str | bytes) -> None:
        raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        if not raw:
            return
        with self._lock:
            if raw not in self._values:
                self._values = sorted([*self._values, raw], key=len, reverse=True)

    @property
    def active(self) -> bool:
        return bool(self._values)

    def redact_bytes(self, data: bytes) -> bytes:
        for value in self._values:
            if value in data:
                data = data.replace(value, REDACTED.encode())
        return data

    def redact(self, text: str) -> str:
        for value in self._values:
            secret = value.decode("utf-8", errors="ignore")
            if secret and secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def redact_json(self, value: Any) -> Any:
        """A JSON-like value with every string redacted, for task values and exit values."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, list):
            return [self.redact_json(item) for item in value]
        if isinstance(value, dict):
            return {self.redact(str(k)): self.redact_json(v) for k, v in value.items()}
        return value

    def pending_tail(self, data: bytes) -> int:
        """How many trailing bytes of `data` could begin a secret and must wait for more input."""
        hold = 0
        for value in self._values:
            for size in range(min(len(value) - 1, len(data)), hold, -1):
                if data.endswith(value[:size]):
                    hold = size
                    break
        return hold


class _Pump(threading.Thread):
    def __init__(self, source: int, sink: int, redactor: Redactor) -> None:
        super().__init__(daemon=True, name=f"redact-fd{source}")
        self.source = source
        self.sink = sink
        self.redactor = redactor
        self.closing = threading.Event()
        self.turns = 0
        """Passes of the read loop so far: one that has not moved since the task ended has not run yet."""

    def run(self) -> None:
        pending = b""
        while True:
            self.turns += 1
            ready, _, _ = select.select([self.source], [], [], _IDLE)
            if not ready and self.closing.is_set():
                # That answer may predate the task's last writes, which all came before `closing`:
                # ask again now. Still nothing means only a process outliving the task holds the
                # pipe open: stop once it is quiet.
                ready, _, _ = select.select([self.source], [], [], 0)
                if not ready:
                    break
            if not ready:
                continue
            try:
                chunk = os.read(self.source, _CHUNK)
            except OSError:
                chunk = b""
            if not chunk:
                break
            data = self.redactor.redact_bytes(pending + chunk)
            hold = self.redactor.pending_tail(data)
            pending = data[len(data) - hold :] if hold else b""
            self._write(data[: len(data) - hold])
        self._write(self.redactor.redact_bytes(pending))

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.sink, view)
            except OSError:
                return
            view = view[written:]


class RedactedOutput:
    """While active, fds 1 and 2 of this process go through the redactor to `log_file` or the old fds."""

    def __init__(self, redactor: Redactor, log_file: str = "") -> None:
        self.redactor = redactor
        self.log_file = log_file
        self._saved: dict[int, int] = {}
        self._pumps: list[_Pump] = []
        self._log_fd: int | None = None

    def __enter__(self) -> RedactedOutput:
        _flush()
        if self.log_file:
            self._log_fd = os.open(self.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        for fd in (1, 2):
            self._saved[fd] = os.dup(fd)
            read_end, write_end = os.pipe()
            os.dup2(write_end, fd)
            os.close(write_end)
            sink = self._log_fd if self._log_fd is not None else self._saved[fd]
            pump = _Pump(read_end, sink, self.redactor)
            pump.start()
            self._pumps.append(pump)
        for stream in (sys.stdout, sys.stderr):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(line_buffering=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self, timeout: float = 5.0, patience: float = 120.0) -> None:
        """Restore the fds and drain the pipes.

        A child that outlives the task (multiprocessing's resource tracker, which dbt starts, or a
        `%sh` job left in the background) keeps a pipe open, so the pumps stop when it goes quiet
        instead of waiting for an end of file that may never come, and one still being written to
        after `timeout` is left behind. A pump that has not run at all since the task ended is not
        stuck but waiting for a busy machine to schedule it: it is waited for (up to `patience`), or
        the task's last lines would be lost.
        """
        _flush()
        for fd, saved in self._saved.items():
            os.dup2(saved, fd)
        drained = True
        for pump in self._pumps:
            pump.closing.set()
        turns = {id(pump): pump.turns for pump in self._pumps}
        started = time.monotonic()
        for pump in self._pumps:
            while pump.is_alive():
                pump.join(_IDLE)
                waited = time.monotonic() - started
                if waited >= patience or (waited >= timeout and pump.turns != turns[id(pump)]):
                    break
            if pump.is_alive():
                drained = False
            else:
                os.close(pump.source)
        if drained:  # a live pump still writes to these; closing them could hand its fd to a new file
            for saved in self._saved.values():
                os.close(saved)
            if self._log_fd is not None:
                os.close(self._log_fd)
        self._saved, self._pumps, self._log_fd = {}, [], None


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
