"""A SQL session on the embedded engine, kept in step with the workspace catalog.

The engine's catalog lives only as long as one Spark Connect session (see `runs.catalog`), so a SQL
session mirrors the workspace catalog in SQLite, in both directions:

- before a statement, what other sessions and tasks changed since is brought in: what is new is
  registered in this session and what was dropped or replaced is unregistered first
  (`runs.catalog.resync`), so the session keeps its temporary views and settings; a session whose
  current schema was dropped goes back to the default catalog and schema;
- after a statement that can change the catalog (`CREATE`, `DROP`, `ALTER`, `REPLACE`), this
  session's catalog is compared with what it knew and the difference is written to the store.

One statement runs at a time per session; `cancel()` interrupts it from another thread.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from brickyard.local.runs.catalog import replay, resync, take_snapshot
from brickyard.local.sql import compat
from brickyard.local.sql.errors import SqlError
from brickyard.local.sql.text import quote
from brickyard.local.store.catalog import CatalogChanges, CatalogSnapshot, CatalogStore

if TYPE_CHECKING:
    import pyarrow as pa

T = TypeVar("T")
DEFAULT_CATALOG, DEFAULT_SCHEMA = "main", "default"
_CHANGES_CATALOG = re.compile(r"^\s*(CREATE|DROP|ALTER|REPLACE)\b", re.I)


class SqlSession(compat.SessionState):
    def __init__(
        self,
        remote: Callable[[], str],
        warehouse: Path,
        catalog: CatalogStore,
        default_catalog: str | None = None,
        default_schema: str | None = None,
    ) -> None:
        self._remote = remote
        self._warehouse = warehouse
        self._store = catalog
        super().__init__(default_catalog or DEFAULT_CATALOG, default_schema or DEFAULT_SCHEMA)
        self._spark: Any = None
        self._url: str | None = None
        self._known = CatalogSnapshot([], [])
        self._lock = threading.Lock()
        self._closed = False

    def execute(
        self, statement: str, catalog: str | None = None, schema: str | None = None, reset: bool = False
    ) -> pa.Table:
        """Run one statement; its result as an Arrow table (no columns for commands).

        `catalog` and `schema` set where unqualified names resolve first; `reset` goes back to the
        defaults for what they leave unset (each statement of the REST API stands alone)."""
        with self._lock:
            if self._closed:
                raise SqlError("The session is closed.", "INVALID_HANDLE", "HY000")
            spark = self._ready()
            if reset:
                catalog, schema = catalog or DEFAULT_CATALOG, schema or DEFAULT_SCHEMA
            self._position(spark, catalog, schema)
            try:
                result = compat.run(self, spark, statement)
            except Exception as err:
                raise SqlError.from_engine(err) from err
            finally:
                if _CHANGES_CATALOG.match(compat.head(statement)):
                    self._publish(spark)
            return result

    def call(self, work: Callable[[Any], T]) -> T:
        """Run `work(spark)` in turn with the statements (metadata queries of the Thrift API)."""
        with self._lock:
            if self._closed:
                raise SqlError("The session is closed.", "INVALID_HANDLE", "HY000")
            spark = self._ready()
            try:
                return work(spark)
            except SqlError:
                raise
            except Exception as err:
                raise SqlError.from_engine(err) from err

    def cancel(self) -> None:
        spark = self._spark
        if spark is not None:
            try:
                spark.interruptAll()
            except Exception:  # nothing running, or the engine is gone: nothing to cancel
                return

    def close(self) -> None:
        with self._lock:
            self._closed = True
            spark, self._spark = self._spark, None
        if spark is not None:
            try:
                spark.stop()
            except Exception:  # the engine may already be gone
                return

    def _position(self, spark: Any, catalog: str | None, schema: str | None) -> None:
        if catalog is not None and catalog != self.catalog:
            try:
                spark.catalog.setCurrentCatalog(catalog)
            except Exception:
                raise SqlError(
                    f"[NO_SUCH_CATALOG_EXCEPTION] Catalog '{catalog}' was not found.",
                    "NO_SUCH_CATALOG_EXCEPTION",
                    "42704",
                ) from None
            self.catalog, self.schema = catalog, ""
            schema = schema or DEFAULT_SCHEMA
        if schema is not None and schema != self.schema:
            try:
                spark.sql(f"USE SCHEMA {quote(schema)}").collect()
            except Exception:
                raise SqlError(
                    f"[SCHEMA_NOT_FOUND] The schema `{self.catalog}`.`{schema}` cannot be found.",
                    "SCHEMA_NOT_FOUND",
                    "42704",
                ) from None
            self.schema = schema

    def _ready(self) -> Any:
        url = self._remote()
        stored = self._store.load()
        if self._spark is None or url != self._url:
            return self._open(url, stored)
        if set(stored.schemas) == set(self._known.schemas) and set(stored.tables) == set(self._known.tables):
            return self._spark
        current = (self.catalog, self.schema)
        dropped = current in set(self._known.schemas) and current not in set(stored.schemas)
        self._known = resync(self._spark, self._known, stored)
        if dropped:  # as a new session would: start from the defaults (if they are still there)
            with contextlib.suppress(SqlError):
                self._position(self._spark, DEFAULT_CATALOG, DEFAULT_SCHEMA)
        return self._spark

    def _open(self, url: str, stored: CatalogSnapshot) -> Any:
        from pyspark.sql import SparkSession

        from brickyard.local.engine import on_loopback, session_conf

        old, self._spark = self._spark, None
        if old is not None:
            with contextlib.suppress(Exception):  # the old engine may be gone
                old.stop()
        builder = SparkSession.builder.remote(url)
        for key, value in session_conf(self._warehouse).items():
            builder = builder.config(key, value)
        spark = on_loopback(builder.create())
        _problems, self._known = replay(spark, stored)
        for key, value in self.conf.items():
            spark.conf.set(key, value)
        try:
            spark.catalog.setCurrentCatalog(self.catalog)
            spark.sql(f"USE SCHEMA {quote(self.schema)}").collect()
        except Exception:  # a schema dropped meanwhile: start from the defaults
            self.catalog, self.schema = DEFAULT_CATALOG, DEFAULT_SCHEMA
            spark.catalog.setCurrentCatalog(self.catalog)
        self._spark, self._url = spark, url
        return spark

    def _publish(self, spark: Any) -> None:
        """Write what the last statement changed in this session's catalog to the store."""
        try:
            now = take_snapshot(spark)
        except Exception:  # the engine went away mid-statement: nothing reliable to publish
            return
        changes = CatalogChanges.between(self._known, now)
        if changes:
            self._store.apply(changes)
            self._known = _applied(self._known, changes)


def _applied(snapshot: CatalogSnapshot, changes: CatalogChanges) -> CatalogSnapshot:
    """`snapshot` as the store has it once `changes` are applied (the store's terms, not the
    session's: a replayed managed table stays MANAGED)."""
    dropped_schemas = set(changes.dropped_schemas)
    schemas = [s for s in snapshot.schemas if s not in dropped_schemas]
    schemas += [s for s in changes.created_schemas if s not in set(schemas)]
    gone = set(changes.dropped) | {t.key for t in changes.upserted}
    tables = [
        t for t in snapshot.tables if t.key not in gone and (t.catalog, t.schema) not in dropped_schemas
    ]
    return CatalogSnapshot(schemas, [*tables, *changes.upserted])
