"""The workspace's table catalog, carried into and out of every Spark session that runs a task.

Sail's memory catalogs belong to one Spark Connect session (measured: a table created in one
session is unknown to the next, even on the same engine), while table data lives in Delta
directories under the warehouse. So the workspace keeps the catalog itself, in SQLite
(`store.catalog`), and syncs each task's session with it:

- before user code runs, the session is given every known schema, table (at its location) and view;
- when the session stops, what the task changed (schemas and tables created, replaced or dropped)
  is written next to the task's request, and the server applies that change set once the task ends.

Change sets rather than whole catalogs, so two tasks running at once cannot undo each other's
tables. `engine.connect()` attaches the sync when `BRICKYARD_CATALOG_SYNC` names a directory
holding `catalog.json` (the server sets it per task); it writes `catalog-changes.json` there.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from brickyard.local.store.catalog import CatalogChanges, CatalogSnapshot, TableEntry

SYSTEM_CATALOGS = {"system"}
READ_ONLY_CATALOGS = {"samples"}
"""Restored into every session but never read back: tasks do not change sample data."""
SNAPSHOT_FILE = "catalog.json"
CHANGES_FILE = "catalog-changes.json"


def attach_sync(spark: Any, directory: Path) -> None:
    """Replay the catalog in `directory` into `spark`, and report changes when `spark.stop()` runs."""
    if getattr(spark, "_brickyard_catalog_sync", None) is not None:
        return  # getOrCreate handed back a session that is already synced
    source = directory / SNAPSHOT_FILE
    initial = CatalogSnapshot([], [])
    if source.exists():
        wanted = CatalogSnapshot.from_json(source.read_text(encoding="utf-8"))
        done: CatalogSnapshot = getattr(spark, "_brickyard_preloaded", None) or CatalogSnapshot([], [])
        todo = CatalogSnapshot(
            [k for k in wanted.schemas if k not in done.schemas],
            [t for t in wanted.tables if t not in done.tables],
        )
        problems, restored = replay(spark, todo)
        initial = CatalogSnapshot(
            [k for k in wanted.schemas if k in done.schemas or k in restored.schemas],
            [t for t in wanted.tables if t in done.tables or t in restored.tables],
        )
        for problem in problems:
            print(f"Warning: not restored in this session: {problem}", file=sys.stderr)
    stop = spark.stop

    def stop_and_report() -> None:
        try:
            # Compared with what was restored, not with the file: an entry this session could not
            # restore (a view over a dropped table) is not one the task dropped.
            restored = CatalogSnapshot(
                [k for k in initial.schemas if k[0] not in READ_ONLY_CATALOGS],
                [t for t in initial.tables if t.catalog not in READ_ONLY_CATALOGS],
            )
            changes = CatalogChanges.between(restored, take_snapshot(spark))
            target = directory / CHANGES_FILE
            tmp = target.with_suffix(".tmp")
            tmp.write_text(json.dumps(changes.as_json()), encoding="utf-8")
            tmp.replace(target)
        except Exception as err:  # the task's result matters more than its catalog
            print(f"Warning: the task's table changes were not saved: {err}", file=sys.stderr)
        finally:
            spark.stop = stop
            stop()

    spark._brickyard_catalog_sync = directory
    spark.stop = stop_and_report


def read_only_part(snapshot: CatalogSnapshot) -> CatalogSnapshot:
    """The entries no task changes (sample data), which a session may restore before its task is known."""
    return CatalogSnapshot(
        [k for k in snapshot.schemas if k[0] in READ_ONLY_CATALOGS],
        [t for t in snapshot.tables if t.catalog in READ_ONLY_CATALOGS and t.kind != "VIEW"],
    )


def preload(spark: Any, snapshot: CatalogSnapshot) -> None:
    """Restore read-only entries ahead of the task; `attach_sync` then skips what is already there."""
    problems, restored = replay(spark, read_only_part(snapshot))
    if not problems:
        spark._brickyard_preloaded = restored


def take_snapshot(spark: Any) -> CatalogSnapshot:
    schemas: list[tuple[str, str]] = []
    tables: list[TableEntry] = []
    for catalog_row in spark.sql("SHOW CATALOGS").collect():
        catalog = catalog_row[0]
        if catalog in SYSTEM_CATALOGS or catalog in READ_ONLY_CATALOGS:
            continue
        for schema_row in spark.sql(f"SHOW SCHEMAS IN {_q(catalog)}").collect():
            schema = schema_row[0]
            schemas.append((catalog, schema))
            for table_row in spark.sql(f"SHOW TABLES IN {_q(catalog)}.{_q(schema)}").collect():
                if table_row["isTemporary"]:
                    continue
                entry = _describe(spark, catalog, schema, table_row["tableName"])
                if entry is not None:
                    tables.append(entry)
    return CatalogSnapshot(schemas, tables)


def replay(spark: Any, snapshot: CatalogSnapshot) -> tuple[list[str], CatalogSnapshot]:
    """Register everything in `snapshot`; returns what could not be restored, as messages, and the
    part of `snapshot` that was."""
    problems: list[str] = []
    schemas: list[tuple[str, str]] = []
    for catalog, schema in snapshot.schemas:
        try:
            spark.sql(f"CREATE SCHEMA IF NOT EXISTS {_q(catalog)}.{_q(schema)}").collect()
            schemas.append((catalog, schema))
        except Exception as err:  # one bad entry must not stop the rest
            problems.append(f"schema {catalog}.{schema}: {err}")
    views = []
    restored: list[TableEntry] = []
    for table in snapshot.tables:
        if table.kind == "VIEW":
            views.append(table)
            continue
        if not table.location or not Path(table.location).exists():
            problems.append(f"table {table.full_name}: its data at {table.location} is gone")
            restored.append(table)  # so that the session reports it dropped: nothing can restore it
            continue
        if (table.provider or "delta").lower() == "delta" and not (
            Path(table.location) / "_delta_log"
        ).is_dir():
            # The engine registers a table before writing it: a CREATE … AS that then failed left
            # a name without a Delta table behind it. Reported once, and dropped like the above.
            problems.append(f"table {table.full_name}: no Delta table was ever written at {table.location}")
            restored.append(table)
            continue
        location = table.location.replace("\\", "\\\\").replace("'", "\\'")
        try:
            spark.sql(
                f"CREATE TABLE IF NOT EXISTS {table.full_name} USING {table.provider or 'delta'} "
                f"LOCATION '{location}'"
            ).collect()
            restored.append(table)
        except Exception as err:
            problems.append(f"table {table.full_name}: {err}")
    while views:  # a view may read another view: retry until no more succeed
        failed = []
        for view in views:
            try:
                spark.sql(f"CREATE VIEW IF NOT EXISTS {view.full_name} AS {view.view_text}").collect()
                restored.append(view)
            except Exception as err:
                failed.append((view, err))
        if len(failed) == len(views):
            problems.extend(f"view {v.full_name}: {e}" for v, e in failed)
            break
        views = [v for v, _ in failed]
    return problems, CatalogSnapshot(schemas, restored)


def _describe(spark: Any, catalog: str, schema: str, name: str) -> TableEntry | None:
    try:
        rows = spark.sql(f"DESCRIBE TABLE EXTENDED {_q(catalog)}.{_q(schema)}.{_q(name)}").collect()
    except Exception:
        return None
    info: dict[str, str] = {}
    detailed = False
    for row in rows:  # column rows come first; a column may well be called "Location"
        detailed = detailed or row["col_name"].startswith("# Detailed")
        if detailed and row["col_name"]:
            info[row["col_name"]] = row["data_type"]
    return TableEntry(
        catalog=catalog,
        schema=schema,
        name=name,
        kind=(info.get("Type") or "MANAGED").upper(),
        provider=info.get("Provider"),
        location=info.get("Location"),
        view_text=info.get("View Text"),
    )


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def read_changes(directory: Path) -> CatalogChanges | None:
    """The change set a session wrote in `directory` when it stopped; None if it wrote none."""
    try:
        return CatalogChanges.from_json(json.loads((directory / CHANGES_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
