"""Where tasks compute: the embedded engine, started on first need, or a cluster's own endpoint.

The server owns one `Engine` (Sail), started by the first task that needs it (or right after the
server with prestart). The server itself never opens a Spark session: tasks do, in their workers,
and carry the workspace's table catalog in and out of their sessions (`runs.catalog`). That also
means nothing has to be saved from the engine when it stops.

A cluster whose `spark_conf` sets `spark.remote` sends its tasks to that URL instead; the embedded
engine is not involved, and the catalog there is not this workspace's to sync.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.engine import DEFAULT_CATALOGS, REMOTE_CONF, Engine
from brickyard.local.home import LocalHome
from brickyard.local.runs.workers import WorkerPool


class Compute:
    def __init__(self, home: LocalHome, pool: WorkerPool, catalogs: Iterable[str] = DEFAULT_CATALOGS) -> None:
        self.home = home
        self.pool = pool
        self.engine = Engine(home.root, catalogs=catalogs)
        self._lock = threading.Lock()

    @property
    def engine_url(self) -> str | None:
        return self.engine.url if self.engine.running else None

    def remote_for(self, spark_conf: dict[str, Any] | None) -> str:
        """The Spark Connect URL a task with this cluster configuration runs against."""
        remote = (spark_conf or {}).get(REMOTE_CONF)
        return str(remote) if remote else self.default_remote()

    def is_embedded(self, remote: str) -> bool:
        return remote == self.engine_url

    def default_remote(self) -> str:
        """The embedded engine's URL, starting it if needed (and the fork server with it)."""
        with self._lock:
            if self.engine.running and self.engine.url:
                return self.engine.url
            self.pool.start()
            url = self.engine.start()
            if (pid := self.engine.pid) is not None:
                self.home.engine_pid_file.write_text(str(pid))
            return url

    def reconfigure(self, catalogs: Iterable[str], busy: Callable[[], str]) -> None:
        """Give the engine another set of catalogs, restarting it if it runs.

        Sail's catalogs are fixed when it starts, so this ends every open session: it is refused
        while `busy()` names work in progress (runs, pipeline updates). Holding the lock that every
        task takes to learn the engine's address means no task can slip in between.
        """
        wanted = tuple(dict.fromkeys(catalogs))
        with self._lock:
            if wanted == self.engine.catalogs:
                return
            reason = busy()
            if reason:
                raise ApiError.conflict(
                    f"The local Spark engine must restart to change its catalogs, and {reason} "
                    "would be cut off; try again when they have finished."
                )
            running = self.engine.running
            self.engine.stop()
            self.home.engine_pid_file.unlink(missing_ok=True)
            self.engine.catalogs = wanted
            if running:
                self.engine.start()
                if (pid := self.engine.pid) is not None:
                    self.home.engine_pid_file.write_text(str(pid))

    def stop(self) -> None:
        with self._lock:
            self.engine.stop()
            self.home.engine_pid_file.unlink(missing_ok=True)
