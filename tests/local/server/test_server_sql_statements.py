"""Statement Execution API through the SDK, on the embedded engine and the workspace catalog."""

from __future__ import annotations

import io
import json
import time
import urllib.request
from typing import Any

import pytest
from databricks.sdk.errors import InvalidParameterValue, NotFound
from databricks.sdk.service.sql import (
    Disposition,
    ExecuteStatementRequestOnWaitTimeout,
    Format,
    StatementParameterListItem,
    StatementState,
)

pytestmark = [pytest.mark.server, pytest.mark.engine]


@pytest.fixture(scope="module")
def warehouse(w: Any) -> str:
    from brickyard.local.store.warehouses import DEFAULT_NAME

    return str(next(wh.id for wh in w.warehouses.list() if wh.name == DEFAULT_NAME))


def run(w: Any, warehouse: str, statement: str, **kwargs: Any) -> Any:
    kwargs.setdefault("wait_timeout", "50s")
    response = w.statement_execution.execute_statement(statement=statement, warehouse_id=warehouse, **kwargs)
    return response


def poll(w: Any, statement_id: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = w.statement_execution.get_statement(statement_id)
        if response.status.state not in (StatementState.PENDING, StatementState.RUNNING):
            return response
        time.sleep(0.05)
    raise AssertionError(f"statement {statement_id} did not finish within {timeout}s")


def test_sync_result_has_typed_manifest_and_string_values(w: Any, warehouse: str) -> None:
    response = run(
        w,
        warehouse,
        "SELECT :n + 1 AS n, :day AS day, :name AS name, CAST(NULL AS STRING) AS nothing, "
        "array(1, 2) AS xs, 1.5BD AS price, true AS ok",
        parameters=[
            StatementParameterListItem(name="n", value="41", type="INT"),
            StatementParameterListItem(name="day", value="2024-02-29", type="DATE"),
            StatementParameterListItem(name="name", value="it's"),
        ],
    )
    assert response.status.state == StatementState.SUCCEEDED
    columns = [(c.name, c.type_name.value, c.type_text) for c in response.manifest.schema.columns]
    assert columns == [
        ("n", "INT", "int"),
        ("day", "DATE", "date"),
        ("name", "STRING", "string"),
        ("nothing", "STRING", "string"),
        ("xs", "ARRAY", "array<int>"),
        ("price", "DECIMAL", "decimal(2,1)"),
        ("ok", "BOOLEAN", "boolean"),
    ]
    assert response.result.data_array == [["42", "2024-02-29", "it's", None, "[1,2]", "1.5", "true"]]
    assert response.manifest.total_row_count == 1 and not response.manifest.truncated


def test_tables_created_by_statements_reach_the_workspace_catalog(w: Any, warehouse: str) -> None:
    for statement in (
        "CREATE SCHEMA IF NOT EXISTS main.stmt",
        "CREATE OR REPLACE TABLE main.stmt.trips (id INT, city STRING)",
        "INSERT INTO main.stmt.trips VALUES (1, 'Oslo'), (2, 'Lima')",
    ):
        assert run(w, warehouse, statement).status.state == StatementState.SUCCEEDED
    assert "trips" in {t.name for t in w.tables.list(catalog_name="main", schema_name="stmt")}
    response = run(w, warehouse, "SELECT city FROM trips ORDER BY id", catalog="main", schema="stmt")
    assert response.result.data_array == [["Oslo"], ["Lima"]]
    # the next statement stands alone: no schema carried over from the previous request
    failed = run(w, warehouse, "SELECT city FROM trips")
    assert failed.status.state == StatementState.FAILED
    assert "TABLE_OR_VIEW_NOT_FOUND" in failed.status.error.message


def test_select_star_except_on_a_warehouse(w: Any, warehouse: str) -> None:
    for statement in (
        "CREATE SCHEMA IF NOT EXISTS main.stmt_except",
        "CREATE OR REPLACE TABLE main.stmt_except.orders (id INT, city STRING, secret STRING)",
        "INSERT INTO main.stmt_except.orders VALUES (1, 'Oslo', 'x'), (2, 'Lima', 'y')",
    ):
        assert run(w, warehouse, statement).status.state == StatementState.SUCCEEDED
    response = run(
        w,
        warehouse,
        "WITH o AS (SELECT * EXCEPT (secret) FROM orders) SELECT o.* EXCEPT (id), upper(city) AS up FROM o ORDER BY id",
        catalog="main",
        schema="stmt_except",
    )
    assert response.status.state == StatementState.SUCCEEDED, response.status.error
    assert [c.name for c in response.manifest.schema.columns] == ["city", "up"]
    assert response.result.data_array == [["Oslo", "OSLO"], ["Lima", "LIMA"]]
    missing = run(w, warehouse, "SELECT * EXCEPT (nope) FROM main.stmt_except.orders")
    assert missing.status.state == StatementState.FAILED  # left to the engine, which refuses it


def test_async_statement_is_polled_to_its_result(w: Any, warehouse: str) -> None:
    response = run(w, warehouse, "SELECT count(*) AS n FROM range(100000)", wait_timeout="0s")
    assert response.status.state in (StatementState.PENDING, StatementState.RUNNING, StatementState.SUCCEEDED)
    done = poll(w, response.statement_id)
    assert done.status.state == StatementState.SUCCEEDED and done.result.data_array == [["100000"]]


def test_large_results_come_in_chunks(w: Any, warehouse: str) -> None:
    response = run(w, warehouse, "SELECT id FROM range(25000)")
    manifest = response.manifest
    assert manifest.total_chunk_count == 3 and manifest.total_row_count == 25000
    assert response.result.next_chunk_index == 1
    rows = list(response.result.data_array)
    index = response.result.next_chunk_index
    while index is not None:
        chunk = w.statement_execution.get_statement_result_chunk_n(response.statement_id, index)
        assert chunk.row_offset == len(rows)
        rows += chunk.data_array
        index = chunk.next_chunk_index
    assert [int(r[0]) for r in rows] == list(range(25000))
    limited = run(w, warehouse, "SELECT id FROM range(100)", row_limit=10)
    assert limited.manifest.truncated and len(limited.result.data_array) == 10


def test_external_links_serve_arrow_and_csv_without_the_token(w: Any, warehouse: str) -> None:
    import pyarrow as pa

    response = run(
        w,
        warehouse,
        "SELECT id, concat('id-', id) AS label FROM range(3)",
        disposition=Disposition.EXTERNAL_LINKS,
        format=Format.ARROW_STREAM,
    )
    link = response.result.external_links[0]
    with urllib.request.urlopen(link.external_link) as answer:  # no Authorization header
        table = pa.ipc.open_stream(io.BytesIO(answer.read())).read_all()
    assert table.to_pydict() == {"id": [0, 1, 2], "label": ["id-0", "id-1", "id-2"]}
    csv = run(w, warehouse, "SELECT 1 AS a", disposition=Disposition.EXTERNAL_LINKS, format=Format.CSV)
    with urllib.request.urlopen(csv.result.external_links[0].external_link) as answer:
        assert answer.read().decode() == "a\n1\n"
    forged = link.external_link.replace("signature=", "signature=0")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged)
    assert refused.value.code == 403
    assert json.loads(refused.value.read())["error_code"] == "PERMISSION_DENIED"


def test_failures_have_the_api_shapes(w: Any, warehouse: str) -> None:
    failed = run(w, warehouse, "SELECT * FROM main.nowhere.nothing")
    assert failed.status.state == StatementState.FAILED
    assert failed.status.error.message.startswith("[TABLE_OR_VIEW_NOT_FOUND]")
    assert failed.status.sql_state == "42P01"
    unbound = run(w, warehouse, "SELECT :missing")
    assert "UNBOUND_SQL_PARAMETER" in unbound.status.error.message
    limit = run(w, warehouse, "DESCRIBE HISTORY main.stmt.trips")
    assert "LOCAL_ENGINE_LIMIT" in limit.status.error.message
    with pytest.raises(InvalidParameterValue, match="wait_timeout"):
        run(w, warehouse, "SELECT 1", wait_timeout="3s")
    with pytest.raises(InvalidParameterValue, match="EXTERNAL_LINKS"):
        run(w, warehouse, "SELECT 1", format=Format.ARROW_STREAM)
    with pytest.raises(NotFound):
        w.statement_execution.get_statement("00000000-0000-0000-0000-000000000000")
    with pytest.raises(NotFound):
        run(w, "0123456789abcdef", "SELECT 1")


def test_cancel_stops_a_running_statement(w: Any, warehouse: str) -> None:
    response = run(
        w,
        warehouse,
        "SELECT sum(id) FROM range(0, 20000000000)",
        wait_timeout="0s",
        on_wait_timeout=ExecuteStatementRequestOnWaitTimeout.CONTINUE,
    )
    deadline = time.monotonic() + 30
    while w.statement_execution.get_statement(response.statement_id).status.state != StatementState.RUNNING:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    w.statement_execution.cancel_execution(response.statement_id)
    assert poll(w, response.statement_id).status.state == StatementState.CANCELED
    after = run(w, warehouse, "SELECT 1 AS one")  # the warehouse is free again, promptly
    assert after.result.data_array == [["1"]]
