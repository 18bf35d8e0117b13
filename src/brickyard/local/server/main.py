"""The server process: `python -m brickyard.local.server --home DIR [--port N] [--https-port N] [--faults FILE]`.

It binds 127.0.0.1 only (the token is the only protection; loopback keeps it off the network). It
serves the app over plain http on `--port`, and HTTPS on `--https-port` with a certificate from the
home's own CA (`tls`), for the clients that refuse plain http; on that port `front` also hands gRPC
(Databricks Connect) to the Spark Connect proxy (`connect_proxy`), started on its first call. It
reads its token from `<home>/token` (never from the command line, where `ps` would show it), holds
`<home>/server.lock` for its whole life (a second server of the same home refuses to start), and
announces itself by writing `<home>/server.json` once it accepts requests; `lifecycle` waits for
that file. SIGTERM stops it: runs are canceled, the catalog is saved, the engine is stopped, and the
file is removed. It also stops by itself when its home is deleted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from brickyard.errors import LocalWorkspaceError
from brickyard.local.faults import FaultTable, load_rules
from brickyard.local.home import LocalHome
from brickyard.local.procs import is_our_process, lock_holder, try_lock

LOOPBACK = "127.0.0.1"
HOME_CHECK_SECONDS = 2.0
if TYPE_CHECKING:
    from brickyard.local.server.wiring import WiredWorkspace

log = logging.getLogger("brickyard.local")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m brickyard.local.server")
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--https-port", type=int, default=0)
    parser.add_argument("--faults", type=Path, default=None)
    parser.add_argument(
        "--no-prestart", action="store_true", help="start the engine at the first run, not now"
    )
    args = parser.parse_args(argv)
    os.umask(0o077)  # everything the server, its engine and its workers create is the user's only
    logging.basicConfig(
        level=logging.INFO if os.environ.get("BRICKYARD_DEBUG") == "1" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        serve(
            LocalHome(args.home.resolve()),
            args.port,
            args.faults,
            prestart=not args.no_prestart,
            https_port=args.https_port,
        )
    except LocalWorkspaceError as err:
        print(f"Error: {err}", file=sys.stderr, flush=True)
        os._exit(1)
    # Every thread that could block exit (a Spark Connect client retrying a dead engine) is done
    # with by now; leave without waiting for stragglers.
    os._exit(0)


def serve(home: LocalHome, port: int, faults_file: Path | None, prestart: bool, https_port: int = 0) -> None:
    import uvicorn

    from brickyard.local.server.connect_proxy import ConnectProxy, cluster_route
    from brickyard.local.server.front import TlsFront
    from brickyard.local.server.wiring import build
    from brickyard.local.tls import ensure_certificates

    token = _read_token(home)
    _claim_home(home)
    faults_path = faults_file or (Path(env) if (env := os.environ.get("BRICKYARD_LOCAL_FAULTS")) else None)
    rules = load_rules(faults_path) if faults_path else []
    _kill_orphan_engine(home)
    tls = ensure_certificates(home)
    sock = _bind(port)
    tls_sock = _bind(https_port)
    bound = sock.getsockname()[1]
    sql_url = f"https://{LOOPBACK}:{tls_sock.getsockname()[1]}"
    workspace = build(home, token, f"http://{LOOPBACK}:{bound}", FaultTable(rules), sql_url=sql_url)
    workspace.recover()
    workspace.start()
    app = workspace.app()
    options: dict[str, Any] = {
        "log_level": "warning",
        "access_log": False,
        "lifespan": "off",
        "timeout_graceful_shutdown": 5,
    }
    group = Group()
    server = group.add(_server_class()(uvicorn.Config(app, **options)))
    proxy = ConnectProxy(workspace.tokens.accepts, cluster_route(workspace.services))
    front = group.add(TlsFront(tls, bound, lambda: proxy.port or proxy.start()))
    listening = Listening(bound, tls_sock.getsockname()[1], str(tls.ca_file))
    announcer = threading.Thread(
        target=_announce, args=(group, workspace, home, listening, prestart), name="announce", daemon=True
    )
    announcer.start()
    threading.Thread(target=_watch_home, args=(group, home), name="home-watch", daemon=True).start()
    try:
        asyncio.run(group.serve({server: [sock], front: [tls_sock]}))
    finally:
        _withdraw(home)
        proxy.stop()
        workspace.close()


def _claim_home(home: LocalHome) -> None:
    """Hold the home's server lock until this process ends: a second server of the same home would
    share its database, runs and engine with this one, so it refuses to start."""
    home.create()
    if try_lock(home.server_lock_file) is None:  # the descriptor stays open for the process's life
        holder = lock_holder(home.server_lock_file)
        who = f"process {holder}" if holder and holder > 0 else "another process"
        raise LocalWorkspaceError(
            f"a local workspace server already runs for {home.root} ({who} holds "
            f"{home.server_lock_file}); use it, or stop it with `brickyard local down`"
        )


@dataclass(frozen=True)
class Listening:
    port: int
    https_port: int
    ca_file: str


class Group:
    """The servers of one process, started and stopped together: a signal or a deleted home stops all."""

    def __init__(self) -> None:
        self.servers: list[Any] = []

    def add(self, server: Any) -> Any:
        server.group = self
        self.servers.append(server)
        return server

    @property
    def started(self) -> bool:
        return all(server.started for server in self.servers)

    @property
    def should_exit(self) -> bool:
        return any(server.should_exit for server in self.servers)

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        for server in self.servers:
            server.should_exit = value

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        for server in self.servers:
            server.handle_exit(sig, frame)

    async def serve(self, sockets: dict[Any, list[socket.socket]]) -> None:
        await asyncio.gather(*(server.serve(sockets=sockets[server]) for server in self.servers))


@functools.cache
def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn re-raises the signal after a graceful stop, which would kill the process before
        the runs, the engine and the catalog are shut down; this one just returns. A signal stops
        every server of its group."""

        group: Group

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            handler = self.group.handle_exit
            previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, old in previous.items():
                    signal.signal(sig, old)

    return Server


def _announce(
    group: Group, workspace: WiredWorkspace, home: LocalHome, listening: Listening, prestart: bool
) -> None:
    deadline = time.monotonic() + 30
    while not group.started:
        if time.monotonic() > deadline or group.should_exit:
            return
        time.sleep(0.005)
    doc = {
        "pid": os.getpid(),
        "host": LOOPBACK,
        "port": listening.port,
        "url": f"http://{LOOPBACK}:{listening.port}",
        "https_port": listening.https_port,
        "https_url": f"https://{LOOPBACK}:{listening.https_port}",
        "ca_file": listening.ca_file,
        "home": str(home.root),
        "started_at": time.time(),
    }
    tmp = home.server_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc), encoding="utf-8")
    tmp.replace(home.server_file)
    if prestart:
        try:
            workspace.prestart()
        except Exception as err:  # the first run reports it properly; here it is only a head start
            log.warning("could not start the Spark engine ahead of time: %s", err)


def _watch_home(group: Group, home: LocalHome) -> None:
    """Stop when the home is deleted (`rm -rf .brickyard`, a test's temporary directory cleaned up):
    a server with no home can only leak memory and an engine."""
    while not group.should_exit:
        time.sleep(HOME_CHECK_SECONDS)
        if not home.metadata_db.exists():
            log.warning("%s is gone; stopping", home.root)
            group.should_exit = True


def _withdraw(home: LocalHome) -> None:
    try:
        doc = json.loads(home.server_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if doc.get("pid") == os.getpid():
        home.server_file.unlink(missing_ok=True)


def _bind(port: int) -> socket.socket:
    # proto=IPPROTO_TCP matters: asyncio disables Nagle only on sockets that say they are TCP, and
    # connections accepted from a proto-0 socket wait ~40 ms for delayed ACKs on every response.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError as err:
        sock.close()
        raise LocalWorkspaceError(f"cannot listen on {LOOPBACK}:{port}: {err.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _read_token(home: LocalHome) -> str:
    try:
        token = home.token_file.read_text(encoding="utf-8").strip()
    except OSError:
        token = ""
    if not token:
        raise LocalWorkspaceError(
            f"no access token in {home.token_file}; start the server with `brickyard local up`"
        )
    return token


def _kill_orphan_engine(home: LocalHome) -> None:
    """An engine whose server died hard would hold memory forever; its pid file names it."""
    try:
        pid = int(home.engine_pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    if is_our_process(pid, "brickyard.local.engine"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
    home.engine_pid_file.unlink(missing_ok=True)
