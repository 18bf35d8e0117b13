"""The embedded Spark Connect engine: Sail, in a process of its own, on loopback.

Sail keeps table metadata in memory catalogs, so the engine is configured with the catalogs a
Databricks workspace has (`main` as the default, `hive_metastore`) to make three-level names work,
and every session gets an absolute warehouse directory (Sail refuses relative table locations) and
Delta as the default table format. `connect()` is how worker code opens such a session.

Run as `python -m brickyard.local.engine --port 0 --ready FILE`: it serves until terminated and
writes `host:port` to FILE once it accepts connections. It needs a token (`BRICKYARD_ENGINE_TOKEN`,
never on the command line): Sail itself runs out of other users' reach, behind a proxy that
accepts only calls with that token (see `engine_guard`), so `url` carries it. The token is the
engine's own, never the workspace's: task code is handed the engine's URL, and must not learn a
token that opens the REST API beyond its run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from brickyard.errors import LocalWorkspaceError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_CATALOG = "main"
DEFAULT_CATALOGS: tuple[str, ...] = ("main", "hive_metastore", "samples", "workspace")
"""`workspace` is the default catalog of Free Edition and of workspaces enabled for Unity Catalog
automatically; `main` that of older metastores."""
REMOTE_CONF = "spark.remote"
CATALOG_SYNC_ENV = "BRICKYARD_CATALOG_SYNC"
TOKEN_ENV = "BRICKYARD_ENGINE_TOKEN"


def sail_env(catalogs: Iterable[str] = DEFAULT_CATALOGS, default: str = DEFAULT_CATALOG) -> dict[str, str]:
    """Environment for a Sail server with one memory catalog per name."""
    names = list(dict.fromkeys([default, *catalogs]))
    entries = ", ".join(f'{{name="{n}", type="memory", initial_database=["default"]}}' for n in names)
    return {
        "SAIL_CATALOG__LIST": f"[{entries}]",
        "SAIL_CATALOG__DEFAULT_CATALOG": default,
        "RUST_LOG": os.environ.get("BRICKYARD_ENGINE_LOG", "warn"),
    }


def session_conf(warehouse: Path) -> dict[str, str]:
    """Session settings every local session needs."""
    return {
        "spark.sql.warehouse.dir": str(warehouse.resolve()),
        "spark.sql.sources.default": "delta",
    }


def connect(url: str, warehouse: Path) -> SparkSession:
    """A Spark Connect session to `url` with the local workspace's settings; it becomes the default.

    Sail's catalogs last only as long as one session, so when the server runs a task it sets
    `BRICKYARD_CATALOG_SYNC` to a directory: the session then starts with the workspace's tables
    and reports what it changed when it stops (see `brickyard.local.runs.catalog`).
    """
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.remote(url)
    for key, value in session_conf(warehouse).items():
        builder = builder.config(key, value)
    return with_catalog_sync(on_loopback(builder.getOrCreate()))


def on_loopback(session: SparkSession) -> SparkSession:
    """`session` without reattachable execution: that guards long results against dropped
    connections, which loopback does not have, and costs a second call (`ReleaseExecute`) per
    statement, measured at over half the time of a catalog's worth of `CREATE TABLE`s."""
    session.client.disable_reattachable_execute()
    return session


def with_catalog_sync(session: SparkSession) -> SparkSession:
    """Attach the workspace's catalog to `session` when the server asked for it (`BRICKYARD_CATALOG_SYNC`)."""
    sync = os.environ.get(CATALOG_SYNC_ENV)
    if sync:
        from brickyard.local.runs.catalog import attach_sync

        attach_sync(session, Path(sync))
    return session


class Engine:
    """A Sail server process owned by the caller; `start()` returns its `sc://` URL."""

    def __init__(
        self,
        home: Path,
        catalogs: Iterable[str] = DEFAULT_CATALOGS,
        port: int = 0,
        log_file: Path | None = None,
        token: str | None = None,
    ) -> None:
        self.home = home
        self.token = token or secrets.token_hex(24)
        self.warehouse = home / "warehouse"
        self.catalogs = tuple(catalogs)
        self.port = port
        self.log_file = log_file or home / "engine.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self.url: str | None = None
        """`sc://localhost:PORT/;token=…`: what a client needs, token included (a secret)."""
        self.address: str | None = None
        """`sc://localhost:PORT`: where the engine is, fit to show."""

    def start(self, timeout: float = 60.0) -> str:
        if self._proc is not None and self._proc.poll() is None and self.url:
            return self.url
        self.warehouse.mkdir(parents=True, exist_ok=True)
        ready = self.home / "engine.ready"
        ready.unlink(missing_ok=True)
        env = {**os.environ, **sail_env(self.catalogs), TOKEN_ENV: self.token}
        with open(self.log_file, "ab") as log:
            self._proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "brickyard.local.engine",
                    "--port",
                    str(self.port),
                    "--ready",
                    str(ready),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready.exists() and (text := ready.read_text().strip()):
                self.address = f"sc://{text}"
                self.url = f"sc://{text}/;token={self.token}"
                return self.url
            if self._proc.poll() is not None:
                raise LocalWorkspaceError(
                    f"the local Spark engine exited with code {self._proc.returncode}; see {self.log_file}"
                )
            time.sleep(0.02)
        self.stop()
        raise LocalWorkspaceError(
            f"the local Spark engine did not start within {timeout:.0f}s; see {self.log_file}"
        )

    def stop(self, timeout: float = 10.0) -> None:
        proc, self._proc, self.url, self.address = self._proc, None, None, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            # Its whole process group: Sail runs in a child that would outlive a killed parent.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The engine process id while it runs, so an owner that dies can have it cleaned up."""
        return self._proc.pid if self.running and self._proc is not None else None


SOCKET_PATH_MAX = 100
"""A Unix socket's path must fit in 108 bytes (`sun_path`), terminator included."""


def _private_dir(home: Path) -> Path:
    """A 0700 folder for Sail's socket: in the home, or under the temp folder when the home's path
    is too long for a Unix socket (a project deep in the file system)."""
    private = home / "engine-private"
    if len(os.fsencode(private / "sail.sock")) > SOCKET_PATH_MAX:
        import tempfile

        return Path(tempfile.mkdtemp(prefix="brickyard-engine-"))
    private.mkdir(mode=0o700, exist_ok=True)
    os.chmod(private, 0o700)
    return private


def _serve(port: int, ready: Path) -> None:
    from brickyard.local.engine_guard import start_proxy

    owner = os.getppid()
    token = os.environ.pop(TOKEN_ENV, "")
    if not token:
        raise SystemExit(f"{TOKEN_ENV} is not set: the engine does not serve without a token")
    private = _private_dir(ready.parent)
    socket_path, inner_ready = private / "sail.sock", private / "ready"
    inner_ready.unlink(missing_ok=True)
    inner = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "brickyard.local.engine_guard",
            "--socket",
            str(socket_path),
            "--ready",
            str(inner_ready),
        ],
        stdin=subprocess.DEVNULL,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not inner_ready.exists():
        if inner.poll() is not None or stop.wait(0.01):
            inner.terminate()
            raise SystemExit(f"the Sail process exited with code {inner.returncode}")
    where = inner_ready.read_text()
    if where != "private":
        print(f"Warning: the Spark engine's own port is reachable by other local users ({where})", flush=True)
    server, bound = start_proxy(socket_path, token, port)
    tmp = ready.with_suffix(".tmp")
    tmp.write_text(f"localhost:{bound}")
    tmp.replace(ready)
    while not stop.wait(0.5):
        if inner.poll() is not None:
            print(f"Error: the Sail process exited with code {inner.returncode}; stopping", flush=True)
            break
        if os.getppid() != owner:
            # Its owner (the server, or a process using `Engine`) died without stopping it: a
            # thread-bound PR_SET_PDEATHSIG would fire early when the owner started it from a
            # thread, so the parent is watched here instead.
            print("The process that started the engine has gone; stopping", flush=True)
            break
    server.stop(1).wait()
    inner.terminate()
    try:
        inner.wait(10)
    except subprocess.TimeoutExpired:
        print("Warning: the Sail process did not stop within 10 s of being asked; killed it", flush=True)
        inner.kill()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m brickyard.local.engine")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready", type=Path, required=True)
    args = parser.parse_args(argv)
    _serve(args.port, args.ready)


if __name__ == "__main__":
    main()
