"""Unity Catalog over what tasks do: tables tasks create are UC tables, a new catalog is real.

A catalog created through the API is added to the engine, which restarts for it (Sail fixes its
catalogs at start), so it is refused while runs are active.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from databricks.sdk.errors import BadRequest, NotFound, ResourceConflict
from databricks.sdk.service import jobs
from databricks.sdk.service.workspace import ImportFormat

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


UNITY_SETUP = """
import io
spark.sql("CREATE SCHEMA IF NOT EXISTS main.setup")
spark.sql("USE main.setup")
spark.sql("CREATE VOLUME IF NOT EXISTS landing COMMENT 'raw files'")
spark.sql("CREATE VOLUME IF NOT EXISTS main.setup.landing")  # a second time: nothing to do
spark.sql("CREATE TABLE IF NOT EXISTS events (id INT)")
for statement in (
    "GRANT SELECT ON TABLE main.setup.events TO `account users`",
    "REVOKE MODIFY ON SCHEMA main.setup FROM `data engineers`",
    "OPTIMIZE main.setup.events ZORDER BY (id)",
    "VACUUM main.setup.events RETAIN 168 HOURS",
    "ANALYZE TABLE main.setup.events COMPUTE STATISTICS",
    "CREATE CATALOG IF NOT EXISTS main",
    "COMMENT ON TABLE main.setup.events IS 'one row an event'",
):
    assert spark.sql(statement).collect() == [], statement
dbutils.fs.put("/Volumes/main/setup/landing/a.csv", "id\\n1\\n", True)
try:
    spark.sql("CREATE VOLUME main.setup.landing")
except Exception as err:
    print("again:", err)
try:
    spark.sql("CREATE CATALOG IF NOT EXISTS brand_new")
except Exception as err:
    print("catalog:", err)
"""


def test_setup_statements_of_unity_catalog_run_in_a_task(w: Any) -> None:
    """A setup notebook's volumes are created through the workspace; grants and maintenance are
    accepted with no effect; a catalog the engine does not have says how to get one."""
    w.workspace.mkdirs("/Users/setup")
    w.workspace.upload("/Users/setup/setup.py", io.BytesIO(UNITY_SETUP.encode()), format=ImportFormat.AUTO)
    run = finish(
        w,
        w.jobs.submit(
            run_name="setup",
            tasks=[
                jobs.SubmitTask(
                    task_key="setup",
                    spark_python_task=jobs.SparkPythonTask(python_file="/Users/setup/setup.py"),
                )
            ],
        ).run_id,
    )
    logs = w.jobs.get_run_output(run.tasks[0].run_id).logs
    assert run.state.result_state == jobs.RunResultState.SUCCESS, logs
    volume = w.volumes.read("main.setup.landing")
    assert volume.volume_type.value == "MANAGED" and volume.comment == "raw files"
    assert "again: [RESOURCE_ALREADY_EXISTS]" in logs
    assert "catalog: [LOCAL_ENGINE_LIMIT] CREATE CATALOG brand_new" in logs and "deploy --local" in logs
    assert [f.name for f in w.files.list_directory_contents("/Volumes/main/setup/landing")] == ["a.csv"]
