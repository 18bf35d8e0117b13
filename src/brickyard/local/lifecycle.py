"""Start, find, stop and wipe a project's local workspace server.

This is the API other commands use when a target has no host (or `host: local`):

    from brickyard.local.lifecycle import ensure_running

    ws = ensure_running(project_root)   # reuses the running server, or starts one
    client = ws.client()                # WorkspaceClient(host=ws.host, token=ws.token, auth_type="pat")

`ensure_running` is idempotent and safe when several processes call it at once: they serialize on a
file lock in the home, the first starts the server and the others find it running. A server counts
as running only when it answers `/api/2.0/brickyard/status` with the token and names the same home,
so a recycled pid or a foreign process on the old port is never mistaken for it.

The home is `<project root>/.brickyard/local/` (see `home`). It keeps the token (mode 0600, stable
across restarts so profiles stay valid), the last port (reused when free, so clients holding the
address survive a restart), and `server.json` while a server runs. `up` also writes the
`brickyard-local` profile to `~/.databrickscfg`, leaving other profiles untouched.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from brickyard.errors import LocalWorkspaceError
from brickyard.local import databrickscfg
from brickyard.local.home import LocalHome, find_project_root
from brickyard.local.procs import is_our_process, lock_holder

SERVER_MODULE = "brickyard.local.server"
SHARED_DIR_ENV = "BRICKYARD_LOCAL_WORKSPACE_DIR"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 40.0
PROBE_TIMEOUT = 3.0
SLOW_PROBE_TIMEOUT = 10.0
"""How long one status check may take once the server lock says a server is there."""
_children: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class LocalWorkspace:
    """A running local workspace: what a client needs to reach it."""

    host: str
    token: str
    home: Path
    port: int
    pid: int
    profile: str = databrickscfg.PROFILE
    https_host: str = ""
    """The same workspace over HTTPS, for clients that refuse http; they trust `ca_file`."""
    ca_file: str = ""

    def client(self) -> Any:
        """A `databricks.sdk.WorkspaceClient` for this workspace (imports the SDK, ~3 s the first time)."""
        from databricks.sdk import WorkspaceClient

        return WorkspaceClient(host=self.host, token=self.token, auth_type="pat")


@dataclass(frozen=True)
class LocalStatus:
    running: bool
    home: Path
    pid: int | None = None
    host: str | None = None
    port: int | None = None
    https_host: str | None = None
    https_port: int | None = None
    token: str | None = None
    ca_file: str | None = None
    sql_http_path: str | None = None
    """The HTTP path of the first SQL warehouse, for the SQL connector and dbt-databricks."""
    uptime_seconds: float | None = None
    engine_running: bool = False
    engine_url: str | None = None
    responding: bool = True
    """False for a server that holds the home but did not answer its status check."""

    def as_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["home"] = str(self.home)
        return doc


def project_root(cwd: Path | None = None) -> Path:
    """The directory whose local workspace `local up|status|down|reset` manage:
    `BRICKYARD_LOCAL_WORKSPACE_DIR` if set (as deploy and run honour it, so all of them reach the
    same workspace), else the directory holding `databricks.yml`, searching upward from `cwd`,
    else `cwd`."""
    base = cwd or Path.cwd()
    shared = os.environ.get(SHARED_DIR_ENV)
    if shared:
        return (base / Path(shared).expanduser()).resolve()
    return find_project_root(base)


def ensure_running(
    project_root: Path,
    *,
    port: int | None = None,
    https_port: int | None = None,
    faults: Path | None = None,
    write_profile: bool = True,
    prestart: bool | None = None,
    timeout: float = START_TIMEOUT,
) -> LocalWorkspace:
    """The project's running local workspace, started if needed.

    `port` pins the port (an error if a server already runs on another one); without it the last
    port is reused when free, else any free port. `https_port` does the same for the HTTPS listener. `faults` is a fault rule file (see `faults`); for a
    running server its rules replace the current ones. `prestart` starts the Spark engine and a warm
    worker right after the server, so the first run does not wait for them (default: yes, unless
    `BRICKYARD_LOCAL_PRESTART=0`).
    """
    home = LocalHome.for_project(project_root)
    home.create()
    with _locked(home):
        running = _probe(home) or _wait_for_holder(home, timeout)
        if running is not None:
            if port and running.port != port:
                raise LocalWorkspaceError(
                    f"the local workspace already runs on port {running.port}; "
                    "run `brickyard local down` first to move it"
                )
            if https_port and running.https_host.rsplit(":", 1)[-1] != str(https_port):
                raise LocalWorkspaceError(
                    f"the local workspace already serves HTTPS at {running.https_host}; "
                    "run `brickyard local down` first to move it"
                )
            if faults is not None:
                _replace_faults(running, faults)
        else:
            if prestart is None:
                prestart = os.environ.get("BRICKYARD_LOCAL_PRESTART", "1") != "0"
            running = _start(home, port, https_port, faults, prestart, timeout)
        if write_profile:
            databrickscfg.write_profile({"host": running.host, "token": running.token})
        return running


def status(project_root: Path) -> LocalStatus:
    home = LocalHome.for_project(project_root)
    found = _read_server_file(home)
    if found is None or not home.root.is_dir():
        return LocalStatus(False, home.root)
    token = _read_token(home)
    doc = _call_status(found.get("url", ""), token)
    if doc is None or doc.get("home") != str(home.root):
        holder = lock_holder(home.server_lock_file)
        if holder is None:
            return LocalStatus(False, home.root)
        port = found.get("port")
        return LocalStatus(
            running=True,
            home=home.root,
            pid=holder if holder > 0 else None,
            host=found.get("host"),
            port=int(port) if port else None,
            responding=False,
        )
    engine = doc.get("engine") or {}
    return LocalStatus(
        running=True,
        home=home.root,
        pid=int(doc["pid"]),
        host=found.get("url"),
        port=int(found["port"]),
        https_host=found.get("https_url"),
        https_port=found.get("https_port"),
        token=token,
        ca_file=found.get("ca_file"),
        sql_http_path=_sql_http_path(str(found.get("url")), token),
        uptime_seconds=float(doc.get("uptime_seconds") or 0.0),
        engine_running=bool(engine.get("running")),
        engine_url=engine.get("url"),
    )


def stop(project_root: Path, timeout: float = STOP_TIMEOUT) -> bool:
    """Stop the server (it cancels its runs and stops its engine); True if one was running."""
    home = LocalHome.for_project(project_root)
    if not home.root.is_dir():
        return False
    with _locked(home):
        return _stop(home, timeout)


def reset(project_root: Path) -> None:
    """Stop the server and delete the whole local workspace: files, jobs, runs, tables, token."""
    home = LocalHome.for_project(project_root)
    if not home.root.is_dir():
        return
    token = _read_token(home)
    with _locked(home):
        _stop(home, STOP_TIMEOUT)
    profile = databrickscfg.read_profile()
    if token and profile.get("token") == token:
        databrickscfg.remove_profile()
    shutil.rmtree(home.root)


# ---- internals ------------------------------------------------------------------------------------


def _start(
    home: LocalHome,
    port: int | None,
    https_port: int | None,
    faults: Path | None,
    prestart: bool,
    timeout: float,
) -> LocalWorkspace:
    token = _ensure_token(home)
    _forget_stale(home)
    chosen = port if port else _previous_port(home)
    if not https_port:
        https_port = _previous_port(home, "https_port")
        if https_port == chosen:
            https_port = 0
    args = [sys.executable, "-m", SERVER_MODULE, "--home", str(home.root), "--port", str(chosen)]
    args += ["--https-port", str(https_port)]
    if faults is not None:
        args += ["--faults", str(faults.resolve())]
    if not prestart:
        args.append("--no-prestart")
    with open(home.server_log, "ab") as log:
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=home.root,
            start_new_session=True,
        )
    _children[proc.pid] = proc
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _read_server_file(home)
        if found is not None and found.get("pid") == proc.pid:
            workspace = _workspace(home, found, token)
            if _call_status(workspace.host, token) is not None:
                _write_settings(home, {"port": workspace.port, "https_port": found.get("https_port")})
                return workspace
        if proc.poll() is not None:
            raise LocalWorkspaceError(
                f"the local workspace server exited with code {proc.returncode}:\n{_log_tail(home)}"
            )
        time.sleep(0.02)
    _kill(proc.pid)
    raise LocalWorkspaceError(
        f"the local workspace server did not start within {timeout:.0f}s; see {home.server_log}"
    )


def _stop(home: LocalHome, timeout: float) -> bool:
    found = _read_server_file(home)
    pid = int(found["pid"]) if found and found.get("pid") else None
    if pid is None or not _alive(pid):  # not announced (yet), but holding the home
        holder = lock_holder(home.server_lock_file)
        pid = holder if holder and holder > 0 else pid
    was_running = pid is not None and _alive(pid)
    if pid is not None and was_running:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            _kill(pid)
    _forget_stale(home)
    return was_running


def _probe(home: LocalHome, timeout: float = PROBE_TIMEOUT) -> LocalWorkspace | None:
    found = _read_server_file(home)
    token = _read_token(home)
    if found is None or not token:
        return None
    doc = _call_status(found.get("url", ""), token, timeout)
    if doc is None or doc.get("home") != str(home.root):
        return None
    return _workspace(home, found, token)


def _wait_for_holder(home: LocalHome, timeout: float) -> LocalWorkspace | None:
    """The server that holds the home's server lock, once it answers; None if no server holds it.

    A server whose status check failed or was slow may still be alive (busy, or still starting):
    starting another would give the home two servers, so wait for this one instead, and say so
    if it never answers.
    """
    deadline = time.monotonic() + timeout
    while (holder := lock_holder(home.server_lock_file)) is not None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            who = f"process {holder}" if holder > 0 else "another process"
            raise LocalWorkspaceError(
                f"the local workspace server of {home.root} ({who}) holds {home.server_lock_file} "
                f"but did not answer its status check within {timeout:.0f}s; stop it with "
                "`brickyard local down` and try again"
            )
        found = _probe(home, timeout=max(0.1, min(remaining, SLOW_PROBE_TIMEOUT)))
        if found is not None:
            return found
        time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
    return None


def _workspace(home: LocalHome, found: dict[str, Any], token: str) -> LocalWorkspace:
    return LocalWorkspace(
        host=str(found["url"]),
        token=token,
        home=home.root,
        port=int(found["port"]),
        pid=int(found["pid"]),
        https_host=str(found.get("https_url") or ""),
        ca_file=str(found.get("ca_file") or ""),
    )


def _call_status(url: str, token: str, timeout: float = PROBE_TIMEOUT) -> dict[str, Any] | None:
    return _get_json(url, "/api/2.0/brickyard/status", token, timeout)


def _sql_http_path(url: str, token: str) -> str | None:
    """The first SQL warehouse's HTTP path, asked through the API as any client would."""
    doc = _get_json(url, "/api/2.0/sql/warehouses", token)
    for warehouse in (doc or {}).get("warehouses") or []:
        path = (warehouse.get("odbc_params") or {}).get("path")
        if path or warehouse.get("id"):
            return str(path or f"/sql/1.0/warehouses/{warehouse['id']}")
    return None


def _get_json(url: str, path: str, token: str, timeout: float = PROBE_TIMEOUT) -> dict[str, Any] | None:
    if not url or not token:
        return None
    request = urllib.request.Request(f"{url}{path}", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            doc: dict[str, Any] = json.loads(response.read())
            return doc
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _replace_faults(running: LocalWorkspace, faults: Path) -> None:
    from brickyard.local.faults import load_rules

    rules = [rule.as_dict() for rule in load_rules(faults)]
    for rule in rules:
        rule.pop("hits", None)
    body = json.dumps({"rules": rules}).encode()
    request = urllib.request.Request(
        f"{running.host}/api/2.0/brickyard/faults",
        data=body,
        method="PUT",
        headers={"Authorization": f"Bearer {running.token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5):
        pass


def _ensure_token(home: LocalHome) -> str:
    token = _read_token(home)
    if token:
        return token
    token = "dapi" + secrets.token_hex(16)
    fd = os.open(home.token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    os.chmod(home.token_file, 0o600)
    return token


def _read_token(home: LocalHome) -> str:
    try:
        return home.token_file.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _read_server_file(home: LocalHome) -> dict[str, Any] | None:
    try:
        doc: dict[str, Any] = json.loads(home.server_file.read_text(encoding="utf-8"))
        return doc
    except (OSError, ValueError):
        return None


def _previous_port(home: LocalHome, key: str = "port") -> int:
    try:
        port = int(json.loads(home.settings_file.read_text(encoding="utf-8")).get(key) or 0)
    except (OSError, ValueError, AttributeError):
        return 0
    return port if port and _port_free(port) else 0


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _write_settings(home: LocalHome, doc: dict[str, Any]) -> None:
    tmp = home.settings_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc), encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(home.settings_file)


def _forget_stale(home: LocalHome) -> None:
    """Remove the traces of a server that is gone, and the engine it may have left behind."""
    found = _read_server_file(home)
    if found is not None and found.get("pid") and _alive(int(found["pid"])):
        return
    home.server_file.unlink(missing_ok=True)
    try:
        engine_pid = int(home.engine_pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    if is_our_process(engine_pid, "brickyard.local.engine"):
        _kill(engine_pid)
    home.engine_pid_file.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        if child.poll() is None:
            return True
        del _children[pid]
        return False
    return is_our_process(pid, SERVER_MODULE)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
    child = _children.pop(pid, None)
    if child is not None:
        child.wait()


def _log_tail(home: LocalHome, lines: int = 20) -> str:
    try:
        return "\n".join(home.server_log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


@contextlib.contextmanager
def _locked(home: LocalHome, timeout: float = 120.0) -> Iterator[None]:
    """One lifecycle operation per home at a time, across processes and threads."""
    fd = os.open(home.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LocalWorkspaceError(
                        f"another brickyard process holds {home.lock_file} for more than {timeout:.0f}s"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)
