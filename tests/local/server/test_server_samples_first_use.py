"""The `samples` catalog is there from the start, as on a workspace: a SQL statement or a Unity
Catalog read that comes before any job run finds it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brickyard.local.lifecycle import ensure_running, stop

pytestmark = [pytest.mark.server, pytest.mark.engine]


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Any]:
    """A workspace that has run nothing yet."""
    (tmp_path / "databricks.yml").write_text("bundle:\n  name: fresh\n")
    try:
        yield ensure_running(tmp_path, write_profile=False).client()
    finally:
        stop(tmp_path)


def test_sql_and_unity_catalog_find_the_samples_before_any_run(fresh: Any) -> None:
    assert list(fresh.tables.list(catalog_name="samples", schema_name="tpch"))
    assert "nyctaxi" in [s.name for s in fresh.schemas.list(catalog_name="samples")]
    warehouse = next(iter(fresh.warehouses.list())).id
    answer = fresh.statement_execution.execute_statement(
        statement="SELECT count(*) FROM samples.nyctaxi.trips", warehouse_id=warehouse, wait_timeout="50s"
    )
    assert answer.status.state.value == "SUCCEEDED", answer.status.error
    assert answer.result.data_array == [["21932"]]
