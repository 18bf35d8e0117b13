"""The fork server: a process that has imported pyspark once and forks a ready child per task.

    python -m brickyard.local.runs.zygote [PREPARE_MODULE]

A fresh Python that imports pyspark spends ~2 s of CPU before it can open a session, and a job run
starts one process per task attempt. So the server keeps this process: it calls the worker's
`prepare()` (the imports, nothing else: no session, no thread of its own), then forks on request. A
child starts in milliseconds with everything imported, becomes its own session leader (so a timeout
or cancel ends it and its children by process group), points stdout/stderr at its file, and runs a
module's `main(args)`: the task worker, or the catalog snapshot (`runs.catalog_task`). The same
approach as PySpark's own worker daemon. PREPARE_MODULE (default `brickyard.local.worker`) names
whose `prepare()` runs: the dbt fork server's (`tasks.dbt_warm`) imports dbt as well.

Protocol, JSON lines. On stdin: `{"id": N, "module": M, "args": [...], "out": FILE, "cwd": DIR,
"env": {...}}`. On stdout: `{"ready": true}` once prepared, `{"id": N, "pid": P}` per fork, and
`{"exit": P, "code": C}` when a child ends (a negative code is the signal that ended it). EOF on
stdin makes it exit. The server holds the only other end of that pipe, so EOF also means the server
died, however it died: the children still running are then ended with their process groups, and
each child is tied to this process (`procs.die_with_parent`) in case it is killed outright.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import select
import signal
import sys
import traceback
from typing import IO, Any, NoReturn

from brickyard.local.procs import die_with_parent

PREPARE_MODULE = "brickyard.local.worker"


def main() -> None:
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints in this process must not corrupt the protocol
    module = importlib.import_module(sys.argv[1] if len(sys.argv) > 1 else PREPARE_MODULE)
    prepare = getattr(module, "prepare", None)
    if callable(prepare):
        prepare()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    _send(protocol, {"ready": True})
    commands = sys.stdin.fileno()  # raw reads: a buffered reader could hold a line select() cannot see
    pending = b""
    children: set[int] = set()
    try:
        while True:
            readable, _, _ = select.select([commands, wake_read], [], [])
            if wake_read in readable:
                os.read(wake_read, 4096)
            children -= _reap(protocol)
            if commands not in readable:
                continue
            chunk = os.read(commands, 65536)
            if not chunk:
                _end_all(children)
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                command = json.loads(line)
                sys.stdout.flush()
                sys.stderr.flush()
                zygote = os.getpid()
                pid = os.fork()
                if pid == 0:
                    for fd in (wake_read, wake_write, protocol.fileno()):
                        os.close(fd)
                    _child(command, zygote)
                children.add(pid)
                _send(protocol, {"id": command["id"], "pid": pid})
    finally:
        _reap(protocol)


def _reap(protocol: IO[str]) -> set[int]:
    """Report every child that ended; returns their pids."""
    ended: set[int] = set()
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return ended
        if pid == 0:
            return ended
        ended.add(pid)
        code = os.waitstatus_to_exitcode(status)
        with contextlib.suppress(OSError):  # the server may be gone: nobody reads this any more
            _send(protocol, {"exit": pid, "code": code})


def _end_all(children: set[int]) -> None:
    """The server is gone: end every task still running, with whatever it started."""
    for pid in children:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)


def _child(command: dict[str, Any], zygote: int) -> NoReturn:
    code = 70
    try:
        die_with_parent(zygote)
        os.setsid()
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        out = os.open(command["out"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        os.close(null)
        os.chdir(command.get("cwd") or ".")
        env = command.get("env") or {}
        os.environ.update(env)
        sys.path[:0] = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        sys.argv = [command["module"], *command.get("args", [])]
        entry = importlib.import_module(command["module"])
        result = entry.main(list(command.get("args", [])))
        code = result if isinstance(result, int) else 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
    os._exit(code)


def _send(protocol: IO[str], message: dict[str, Any]) -> None:
    protocol.write(json.dumps(message) + "\n")
    protocol.flush()


if __name__ == "__main__":
    main()
