"""Unity Catalog over what tasks do: tables tasks create are UC tables, a new catalog is real.

A catalog created through the API is added to the engine, which restarts for it (Sail fixes its
catalogs at start), so it is refused while runs are active.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from databricks.sdk.errors import BadRequest, NotFound, ResourceConflict

from tests.local.runs.conftest import finish, results, wait_for

pytestmark = pytest.mark.engine


def _name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def test_tables_that_tasks_create_are_listed_read_and_deleted(w: Any, py: Any) -> None:
    schema = _name("t")
    w.schemas.create(name=schema, catalog_name="main")
    statements = [
        f"CREATE TABLE main.{schema}.orders AS SELECT 1 AS id, 'a' AS code",
        f"CREATE VIEW main.{schema}.recent AS SELECT id FROM main.{schema}.orders",
    ]
    run_id = w.jobs.submit(run_name="tables", tasks=[py("create", "sql.py", *statements)]).run_id
    assert results(finish(w, run_id)) == {"create": "SUCCESS"}

    tables = {t.name: t for t in w.tables.list(catalog_name="main", schema_name=schema)}
    assert set(tables) == {"orders", "recent"}
    orders = w.tables.get(f"main.{schema}.orders")
    assert orders.table_type.value == "MANAGED" and orders.data_source_format.value == "DELTA"
    assert [(c.name, c.type_name.value) for c in orders.columns] == [("id", "INT"), ("code", "STRING")]
    assert "SELECT id" in tables["recent"].view_definition
    assert w.tables.exists(f"main.{schema}.orders").table_exists
    assert not w.tables.exists(f"main.{schema}.nothing").table_exists

    w.tables.delete(f"main.{schema}.orders")
    with pytest.raises(NotFound, match="Table"):
        w.tables.get(f"main.{schema}.orders")
    run_id = w.jobs.submit(
        run_name="gone", tasks=[py("read", "sql.py", f"SELECT * FROM main.{schema}.orders")]
    ).run_id
    assert results(finish(w, run_id)) == {"read": "FAILED"}
    with pytest.raises(BadRequest, match="not empty"):
        w.schemas.delete(f"main.{schema}")


def test_a_new_catalog_restarts_the_engine_and_is_refused_while_runs_are_active(w: Any, py: Any) -> None:
    catalog = _name("cat")
    sleeping = w.jobs.submit(run_name="busy", tasks=[py("sleep", "sleep.py", "600")]).run_id
    wait_for(lambda: w.jobs.get_run(sleeping).state.life_cycle_state.value == "RUNNING")
    with pytest.raises(ResourceConflict, match="1 job run"):
        w.catalogs.create(catalog)
    w.jobs.cancel_run(sleeping)
    finish(w, sleeping)

    created = w.catalogs.create(catalog, comment="made locally")
    assert (created.name, created.comment) == (catalog, "made locally")
    w.schemas.create(name="sales", catalog_name=catalog)
    statement = f"CREATE TABLE {catalog}.sales.t AS SELECT 42 AS answer"
    run_id = w.jobs.submit(run_name="new-catalog", tasks=[py("create", "sql.py", statement)]).run_id
    assert results(finish(w, run_id)) == {"create": "SUCCESS"}
    assert [t.name for t in w.tables.list(catalog_name=catalog, schema_name="sales")] == ["t"]

    with pytest.raises(BadRequest, match="not empty"):
        w.catalogs.delete(catalog)
    w.catalogs.delete(catalog, force=True)
    assert catalog not in [c.name for c in w.catalogs.list()]
    with pytest.raises(NotFound):
        w.schemas.get(f"{catalog}.sales")
