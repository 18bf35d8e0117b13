"""A private network namespace for clients that only reach the default ports 80 and 443.

The legacy `databricks-cli` drops any port from its host, so it can only talk to a workspace on 443
(https) or 80 (http). In a namespace of its own, the test's loopback has both free whatever else
runs on the machine, and nothing it starts is reachable from outside. Making one needs root (or
unprivileged user namespaces), as CI and this project's machines have.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Iterator


@contextlib.contextmanager
def private_loopback() -> Iterator[list[str]]:
    """The command prefix (`nsenter --net=...`) that runs a program inside a fresh namespace whose
    loopback is up; the namespace lives until the context ends."""
    unshare, nsenter = shutil.which("unshare"), shutil.which("nsenter")
    ip = shutil.which("ip") or shutil.which("ip", path="/usr/sbin:/sbin")
    if not (unshare and nsenter and ip):
        raise RuntimeError("private_loopback needs unshare, nsenter and ip (util-linux, iproute2)")
    holder = subprocess.Popen(
        [unshare, "--net", "sh", "-c", f'"{ip}" link set lo up && echo up && exec sleep 86400'],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        if holder.stdout.readline().strip() != "up":
            holder.wait(10)
            error = holder.stderr.read() if holder.stderr else ""
            raise RuntimeError(f"cannot make a network namespace: {error.strip()}")
        yield [nsenter, f"--net=/proc/{holder.pid}/ns/net"]
    finally:
        holder.kill()
        holder.wait(10)
