"""Process checks that tell our own processes from a recycled pid, the lock that makes a server
the only one of its home, and the tie that ends a worker with its server."""

from __future__ import annotations

import fcntl
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1


def is_our_process(pid: int, module: str) -> bool:
    """Whether `pid` is alive and runs `python -m <module>`; a zombie or a reused pid is not."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        if not Path("/proc/self").exists():
            try:
                os.kill(pid, 0)
            except (ProcessLookupError, PermissionError):
                return False
            return True  # no /proc on this system: trust the pid
        return False
    return module.encode() in cmdline


WORKER_MODULES = ("brickyard.local.worker", "brickyard.local.runs.zygote", "brickyard.pipelines.worker")


def is_worker_process(pid: int) -> bool:
    """A task or pipeline worker: started cold (`-m …worker`) or forked from the fork server."""
    return any(is_our_process(pid, module) for module in WORKER_MODULES)


def try_lock(path: Path) -> int | None:
    """An exclusive `flock` on `path`, held as long as the returned descriptor stays open (or the
    process lives); None if another process holds it. The holder's pid is written into the file."""
    fd = _locked_fd(path)
    if fd is not None:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
    return fd


def lock_holder(path: Path) -> int | None:
    """The pid of the process holding `path` locked (see `try_lock`): None if nobody does, -1 if
    somebody does but has not written its pid yet."""
    if not path.exists():
        return None
    fd = _locked_fd(path)
    if fd is not None:
        os.close(fd)
        return None
    try:
        return int(path.read_text(encoding="utf-8").strip() or -1)
    except (OSError, ValueError):
        return -1


def _locked_fd(path: Path) -> int | None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def die_with_parent(expected_parent: int, sig: int = signal.SIGKILL) -> None:
    """Ask Linux to send `sig` to this process when its parent dies (`PR_SET_PDEATHSIG`), so a
    worker never outlives the server that started it. A parent already gone by now means exit."""
    if sys.platform.startswith("linux"):
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
    if expected_parent and os.getppid() != expected_parent:
        os._exit(1)
