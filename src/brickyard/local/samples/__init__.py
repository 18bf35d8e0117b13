"""Sample data a Databricks workspace ships: the `samples` catalog and `/databricks-datasets`.

Public bundles and tutorials read `samples.nyctaxi.trips`, `samples.tpch.*`, `samples.bakehouse.*`
and files under `/databricks-datasets/`. None of that data can be downloaded here, so the local
workspace generates stand-ins with the same names, columns and types from a fixed seed (what is
synthetic is listed in docs/samples.md). They are made on first use, in about a second, and kept in
the workspace home until `brickyard local reset`; a version stamp regenerates them when the
generators change.
"""

from __future__ import annotations

import fcntl
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from brickyard.local.home import LocalHome
from brickyard.local.store.catalog import CatalogChanges, CatalogStore, TableEntry

CATALOG = "samples"
VERSION = "1"
SEED = 20160101
DATASETS_DIR = "databricks-datasets"
_STAMP = ".brickyard-samples"
_LOCK = ".brickyard-samples.lock"


def sample_tables(samples_root: Path) -> list[TableEntry]:
    """The `samples` catalog's tables, generated under `samples_root` if they are not there yet."""
    with _once(samples_root) as fresh:
        if fresh:
            from brickyard.local.samples import bakehouse, delta, nyctaxi, tpch

            schemas = {
                "nyctaxi": {"trips": nyctaxi.trips(np.random.default_rng([SEED, 1]))},
                "tpch": tpch.tables(np.random.default_rng([SEED, 2])),
                "bakehouse": bakehouse.tables(np.random.default_rng([SEED, 3])),
            }
            for schema, tables in schemas.items():
                for name, table in tables.items():
                    delta.write_table(samples_root / schema / name, table)
    return [
        TableEntry(CATALOG, path.parent.name, path.name, "EXTERNAL", "delta", str(path))
        for path in sorted(samples_root.glob("*/*"))
        if (path / "_delta_log").is_dir()
    ]


def sample_schemas(tables: list[TableEntry]) -> list[tuple[str, str]]:
    return sorted({(t.catalog, t.schema) for t in tables})


def ensure_datasets(dbfs_root: Path) -> Path:
    """`dbfs:/databricks-datasets`, generated under `dbfs_root` if it is not there yet."""
    root = dbfs_root / DATASETS_DIR
    with _once(root) as fresh:
        if fresh:
            from brickyard.local.samples import datasets

            datasets.write_all(root, SEED)
    return root


@contextmanager
def _once(root: Path) -> Iterator[bool]:
    """Yields True when `root` must be (re)generated; one process does it while others wait."""
    stamp = root / _STAMP
    if _current(stamp):
        yield False
        return
    root.mkdir(parents=True, exist_ok=True)
    with open(root / _LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _current(stamp):
            yield False
            return
        for child in root.iterdir():
            if child.name != _LOCK:
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        yield True
        stamp.write_text(VERSION, encoding="utf-8")


def _current(stamp: Path) -> bool:
    try:
        return stamp.read_text(encoding="utf-8").strip() == VERSION
    except OSError:
        return False


def register(home: LocalHome, store: CatalogStore) -> None:
    """Put the `samples` tables in the workspace catalog (generating them on first use), so every
    task session and the Unity Catalog API see them."""
    tables = sample_tables(home.root / "samples")
    known = {t.key: t for t in store.tables(CATALOG)}
    missing = [t for t in tables if known.get(t.key) != t]
    if missing:
        store.apply(CatalogChanges(sample_schemas(missing), [], missing, []))


class Samples:
    """The `samples` catalog of one workspace, put in its catalog store once, on first use: by a
    task, a pipeline update, a SQL session, or a Unity Catalog read of the catalog."""

    def __init__(self, home: LocalHome, store: CatalogStore) -> None:
        self._home = home
        self._store = store
        self._lock = threading.Lock()
        self._registered = False

    def ensure(self) -> None:
        if self._registered:
            return
        with self._lock:
            if not self._registered:
                register(self._home, self._store)
                self._registered = True

    def ensure_for(self, catalog: str) -> None:
        """`ensure()` when `catalog` is the samples catalog (names are case-insensitive)."""
        if catalog.lower() == CATALOG:
            self.ensure()
