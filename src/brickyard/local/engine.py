"""The embedded Spark Connect engine: Sail, in a process of its own, on loopback.

Sail keeps table metadata in memory catalogs, so the engine is configured with the catalogs a
Databricks workspace has (`main` as the default, `hive_metastore`) to make three-level names work,
and every session gets an absolute warehouse directory (Sail refuses relative table locations) and
Delta as the default table format. `connect()` is how worker code opens such a session.

Run as `python -m brickyard.local.engine --port 0 --ready FILE`: it serves until terminated and
writes `host:port` to FILE once it accepts connections.
"""

from __future__ import annotations

import argparse
import os
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
DEFAULT_CATALOGS: tuple[str, ...] = ("main", "hive_metastore", "samples")
REMOTE_CONF = "spark.remote"
CATALOG_SYNC_ENV = "BRICKYARD_CATALOG_SYNC"


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
    session = builder.getOrCreate()
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
    ) -> None:
        self.home = home
        self.warehouse = home / "warehouse"
        self.catalogs = tuple(catalogs)
        self.port = port
        self.log_file = log_file or home / "engine.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self.url: str | None = None

    def start(self, timeout: float = 30.0) -> str:
        if self._proc is not None and self._proc.poll() is None and self.url:
            return self.url
        self.warehouse.mkdir(parents=True, exist_ok=True)
        ready = self.home / "engine.ready"
        ready.unlink(missing_ok=True)
        env = {**os.environ, **sail_env(self.catalogs)}
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
                self.url = f"sc://{text}"
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
        proc, self._proc, self.url = self._proc, None, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The engine process id while it runs, so an owner that dies can have it cleaned up."""
        return self._proc.pid if self.running and self._proc is not None else None


def _serve(port: int, ready: Path) -> None:
    from pysail.spark import SparkConnectServer

    server = SparkConnectServer("127.0.0.1", port)
    server.start(background=True)
    host, bound = server.listening_address
    tmp = ready.with_suffix(".tmp")
    tmp.write_text(f"{host}:{bound}")
    tmp.replace(ready)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m brickyard.local.engine")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready", type=Path, required=True)
    args = parser.parse_args(argv)
    _serve(args.port, args.ready)


if __name__ == "__main__":
    main()
