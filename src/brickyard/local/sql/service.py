"""What the server holds for SQL warehouses: the REST API's statements and the Thrift sessions.

Every SQL session runs on the embedded engine (started on first need) against the workspace
catalog; a warehouse is only a name and a queue in front of it.
"""

from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING

from brickyard.local.sql.session import SqlSession
from brickyard.local.sql.statements import StatementRunner

if TYPE_CHECKING:
    from brickyard.local.home import LocalHome
    from brickyard.local.runs.compute import Compute
    from brickyard.local.samples import Samples
    from brickyard.local.sql.operation import Operation
    from brickyard.local.store.catalog import CatalogStore


class SqlWarehouses:
    def __init__(self, home: LocalHome, compute: Compute, catalog: CatalogStore, samples: Samples) -> None:
        self._home = home
        self._compute = compute
        self._catalog = catalog
        self._samples = samples
        self.statements = StatementRunner(lambda _warehouse: self.open_session(), secrets.token_hex(32))
        self.sessions: dict[str, tuple[str, SqlSession]] = {}
        """Thrift sessions: handle → (endpoint path, session)."""
        self.operations: dict[str, Operation] = {}
        """Thrift operations (statements and metadata calls) by handle, until closed."""
        self.lock = threading.Lock()

    def open_session(self, catalog: str | None = None, schema: str | None = None) -> SqlSession:
        self._samples.ensure()
        return SqlSession(self._compute.default_remote, self._home.warehouse, self._catalog, catalog, schema)

    def close(self) -> None:
        self.statements.close()
        with self.lock:
            sessions, self.sessions = list(self.sessions.values()), {}
        for _warehouse, session in sessions:
            session.close()
