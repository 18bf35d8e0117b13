"""A worker started cold is tied to the process that started it: it dies when that process dies,
however it dies, and a restarted server still recognizes it by its module name."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from brickyard.local.procs import is_our_process

PARENT = """
import os, subprocess, sys, time
child = subprocess.Popen(
    [sys.executable, "-m", "brickyard.local.runs.tether", str(os.getpid()), "sleeper", sys.argv[1]],
    start_new_session=True,
)
print(child.pid, flush=True)
child.wait()
"""


def test_a_tethered_worker_dies_with_the_process_that_started_it(tmp_path: Path) -> None:
    (tmp_path / "sleeper.py").write_text(
        "import pathlib, sys, time\npathlib.Path(sys.argv[1]).touch()\ntime.sleep(600)\n"
    )
    started = tmp_path / "started"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(started)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    deadline = time.monotonic() + 120
    while not started.exists():
        assert time.monotonic() < deadline and parent.poll() is None
        time.sleep(0.05)
    assert is_our_process(child, "sleeper")  # its module is on its command line

    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 30
    while is_our_process(child, "sleeper"):
        assert time.monotonic() < deadline, "the worker outlived its parent"
        time.sleep(0.05)
