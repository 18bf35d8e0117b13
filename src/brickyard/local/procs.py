"""Process checks that tell our own processes from a recycled pid."""

from __future__ import annotations

import os
from pathlib import Path


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
