"""The server's side of the fork server (`runs.zygote`): start it, ask for children, learn their end.

One reader thread turns the zygote's messages into events: the pid of each fork, and the exit code
of each child. A child is not a child of the server (the zygote is its parent and reaps it), so its
exit is known only from that message; `ForkedProcess.wait` waits for it. If the zygote dies, every
child it still owed an exit for is reported as lost (-1) and `spawn` raises, so callers fall back
to starting a process the ordinary way.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ZYGOTE_MODULE = "brickyard.local.runs.zygote"
LOST = -1
log = logging.getLogger("brickyard.local")


class ForkServerDown(Exception):
    """The zygote is not running (not started yet, still importing, or dead)."""


@dataclass
class ForkedProcess:
    pid: int
    out_file: Path
    _done: threading.Event = field(default_factory=threading.Event)
    returncode: int | None = None

    def wait(self, timeout: float | None) -> int | None:
        if not self._done.wait(timeout):
            return None
        return self.returncode

    def poll(self) -> int | None:
        return self.returncode if self._done.is_set() else None

    def signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def _ended(self, code: int) -> None:
        self.returncode = code
        self._done.set()


class ForkServer:
    def __init__(
        self, log_file: Path, env: dict[str, str], python: str = sys.executable, prepare: str | None = None
    ) -> None:
        self.log_file = log_file
        self.env = env
        self.python = python
        self.prepare = prepare
        """The module whose `prepare()` the zygote runs (`runs.zygote`); None: the task worker's."""
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._ready = threading.Event()
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[threading.Event, list[int]]] = {}
        self._children: dict[int, ForkedProcess] = {}
        self._exited: dict[int, int] = {}

    def start(self) -> None:
        """Start the zygote (it gets ready in the background, in ~2 s); no-op if it runs."""
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                return
            self._ready.clear()
            with open(self.log_file, "ab") as err:
                self._proc = subprocess.Popen(
                    [self.python, "-m", ZYGOTE_MODULE, *([self.prepare] if self.prepare else [])],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=err,
                    env=self.env,
                    start_new_session=True,
                )
            threading.Thread(target=self._read, args=(self._proc,), name="forkserver", daemon=True).start()

    def wait_ready(self, timeout: float) -> bool:
        """Wait for a zygote that is starting; False at once if none is."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return False
        return self._ready.wait(timeout)

    def keep_standby(self, module: str, key: str, out_file: Path, spec: dict[str, Any]) -> None:
        """Have the zygote keep a child prepared by `module.standby(spec)` for commands with `key`."""
        with self._lock:
            proc = self._proc
            if proc is None or proc.poll() is not None or not self._ready.is_set() or proc.stdin is None:
                return
            message = {"standby": {"module": module, "key": key, "out": str(out_file), "spec": spec}}
            with contextlib.suppress(OSError):
                proc.stdin.write((json.dumps(message) + "\n").encode())
                proc.stdin.flush()

    def spawn(
        self,
        module: str,
        args: list[str],
        out_file: Path,
        cwd: Path,
        env: dict[str, str],
        key: str | None = None,
    ) -> ForkedProcess:
        """Fork a child that runs `module.main(args)` (or hand it to the standby prepared for `key`);
        raises ForkServerDown if there is no zygote."""
        command: dict[str, Any] = {
            "module": module,
            "args": args,
            "out": str(out_file),
            "cwd": str(cwd),
            "env": env,
            "key": key,
        }
        reply: list[int] = []
        answered = threading.Event()
        with self._lock:
            proc = self._proc
            if proc is None or proc.poll() is not None or not self._ready.is_set() or proc.stdin is None:
                raise ForkServerDown("the fork server is not ready")
            command["id"] = next(self._ids)
            self._pending[command["id"]] = (answered, reply)
            try:
                proc.stdin.write((json.dumps(command) + "\n").encode())
                proc.stdin.flush()
            except OSError as err:
                self._pending.pop(command["id"], None)
                raise ForkServerDown(f"the fork server is gone: {err}") from None
        if not answered.wait(10):
            with self._lock:
                # Give up on it for good: a fork that answers late is killed (see _read), so the
                # caller's cold start is the only process that runs this request.
                if self._pending.pop(command["id"], None) is not None:
                    raise ForkServerDown("the fork server did not fork in time")
        if not reply or reply[0] <= 0:
            raise ForkServerDown("the fork server did not fork")
        pid = reply[0]
        child = ForkedProcess(pid, out_file)
        with self._lock:
            if pid in self._exited:  # it ended before we looked
                child._ended(self._exited.pop(pid))
            else:
                self._children[pid] = child
        return child

    def close(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def _read(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            with self._lock:
                if message.get("ready"):
                    self._ready.set()
                elif "id" in message:
                    waiting = self._pending.pop(message["id"], None)
                    if waiting is not None:
                        waiting[1].append(int(message["pid"]))
                        waiting[0].set()
                    elif int(message.get("pid") or 0) > 0:
                        # Its caller gave up waiting and started the request elsewhere.
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(int(message["pid"]), signal.SIGKILL)
                elif "exit" in message:
                    pid, code = int(message["exit"]), int(message["code"])
                    child = self._children.pop(pid, None)
                    if child is not None:
                        child._ended(code)
                    else:
                        self._exited[pid] = code
        # EOF: the zygote is gone. Whoever still waits learns it now.
        with self._lock:
            self._ready.clear()
            for answered, _ in self._pending.values():
                answered.set()
            self._pending.clear()
            children, self._children = self._children, {}
        for child in children.values():
            log.warning("the fork server died; ending its child %s", child.pid)
            child.signal(signal.SIGKILL)
            child._ended(LOST)
