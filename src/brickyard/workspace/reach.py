"""Is the workspace host there at all? Asked with one short TCP connect before the SDK is used.

The SDK retries a connection it cannot make for minutes (its retry budget is 300 s by default, and
its client probes the host as soon as it is built), which is right for a workspace that hiccups
and wrong for a host that is mistyped, behind a VPN that is down, or simply not reachable from
this machine. A connect that fails or hangs for a few seconds says so at once, names the host and
points at `--local`. With a proxy configured the SDK's own connection is the only honest test, so
the probe steps aside.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from urllib.parse import urlparse

from brickyard.errors import WorkspaceError

PROBE_SECONDS = 5.0
_PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


def check_reachable(host: str, environ: Mapping[str, str], timeout: float = PROBE_SECONDS) -> None:
    """Raise WorkspaceError unless a TCP connection to the host's port opens within `timeout`."""
    if any(environ.get(name) for name in _PROXY_VARS):
        return
    url = urlparse(host if "://" in host else f"https://{host}")
    if not url.hostname:
        raise WorkspaceError(
            f"workspace host {host!r} is not a URL (expected https://<workspace>.cloud.databricks.com)"
        )
    port = url.port or (80 if url.scheme == "http" else 443)
    outcome: list[BaseException | None] = []

    def connect() -> None:
        # Name resolution has no timeout of its own, hence the thread and its deadline.
        try:
            socket.create_connection((url.hostname, port), timeout=timeout).close()
            outcome.append(None)
        except BaseException as err:
            outcome.append(err)

    probe = threading.Thread(target=connect, name="workspace-probe", daemon=True)
    probe.start()
    probe.join(timeout + 0.5)
    if outcome and outcome[0] is None:
        return
    reason = f"no answer within {timeout:.0f} s" if not outcome else _reason(outcome[0])
    raise WorkspaceError(
        f"cannot reach the workspace {host}: {reason}. Check workspace.host and your network (VPN, "
        "proxy); or run this target on the embedded local workspace with --local"
    )


def _reason(err: BaseException | None) -> str:
    if isinstance(err, socket.gaierror):
        return "its name does not resolve"
    if isinstance(err, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(err, TimeoutError | socket.timeout):
        return "the connection timed out"
    return str(err) or type(err).__name__
