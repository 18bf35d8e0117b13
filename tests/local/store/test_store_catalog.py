"""Catalog change sets: what a task changed, applied without undoing a concurrent task's work."""

from __future__ import annotations

from pathlib import Path

from brickyard.local.store.catalog import CatalogChanges, CatalogSnapshot, CatalogStore, TableEntry
from brickyard.local.store.db import Database


def _table(name: str, location: str = "/w/x", kind: str = "MANAGED") -> TableEntry:
    return TableEntry("main", "s", name, kind, "delta", location)


def test_concurrent_change_sets_both_survive(tmp_path: Path) -> None:
    store = CatalogStore(Database(tmp_path / "m.db"))
    start = CatalogSnapshot([("main", "s")], [_table("old")])
    store.apply(CatalogChanges.between(CatalogSnapshot([], []), start))
    first = CatalogChanges.between(start, CatalogSnapshot([("main", "s")], [_table("old"), _table("a")]))
    second = CatalogChanges.between(start, CatalogSnapshot([("main", "s")], [_table("b", "/w/b")]))
    store.apply(first)
    store.apply(second)
    assert sorted(t.name for t in store.load().tables) == ["a", "b"]


def test_replayed_managed_table_coming_back_external_is_no_change() -> None:
    before = CatalogSnapshot([], [_table("t")])
    assert not CatalogChanges.between(before, CatalogSnapshot([], [_table("t", kind="EXTERNAL")]))
    assert CatalogChanges.between(before, CatalogSnapshot([], [_table("t", "/w/new", kind="EXTERNAL")]))


def test_dropping_a_schema_drops_its_tables(tmp_path: Path) -> None:
    store = CatalogStore(Database(tmp_path / "m.db"))
    full = CatalogSnapshot([("main", "s")], [_table("t")])
    store.apply(CatalogChanges.between(CatalogSnapshot([], []), full))
    store.apply(CatalogChanges.between(full, CatalogSnapshot([], [])))
    assert store.load() == CatalogSnapshot([], [])
