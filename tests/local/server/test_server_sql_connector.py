"""The Databricks SQL connector (Thrift over HTTPS) against a local warehouse.

The connector builds `https://<server_hostname>:<_port>/<http_path>`, so the documented form is
`server_hostname="127.0.0.1"` with `_port`; it trusts the workspace's CA through
`_tls_trusted_ca_file`. `enable_telemetry=False` spares a feature-flag probe of port 443.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.server, pytest.mark.engine]


def connect(w: Any, local_ws: Any, **settings: Any) -> Any:
    """A connector connection to the default local warehouse, with `settings` on top."""
    from databricks import sql

    from brickyard.local.store.warehouses import DEFAULT_NAME

    warehouse = next(wh for wh in w.warehouses.list() if wh.name == DEFAULT_NAME)
    address = urlsplit(local_ws.https_host)
    return sql.connect(
        server_hostname=address.hostname,
        _port=address.port,
        http_path=warehouse.odbc_params.path,
        access_token=local_ws.token,
        _tls_trusted_ca_file=local_ws.ca_file,
        enable_telemetry=False,
        **settings,
    )


@pytest.fixture(scope="module")
def connection(w: Any, local_ws: Any) -> Iterator[Any]:
    with connect(w, local_ws) as conn:
        yield conn


def test_queries_return_typed_rows_and_arrow(connection: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 AS a, 'x' AS b, 1.5BD AS d, DATE'2024-02-29' AS day, array(1, 2) AS xs")
        assert [(d[0], d[1]) for d in cursor.description] == [
            ("a", "int"),
            ("b", "string"),
            ("d", "decimal"),
            ("day", "date"),
            ("xs", "array"),
        ]
        row = cursor.fetchone()
        assert (row.a, row.b, str(row.d), row.day.isoformat(), list(row.xs)) == (
            1,
            "x",
            "1.5",
            "2024-02-29",
            [1, 2],
        )
        cursor.execute("SELECT id FROM range(25000)")
        table = cursor.fetchall_arrow()
        assert table.num_rows == 25000 and table.column("id").to_pylist()[-1] == 24999


def test_native_parameters_are_bound_with_their_types(connection: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT :n + 1 AS n, :s AS s, :flag AS flag", {"n": 41, "s": "it's", "flag": True})
        assert tuple(cursor.fetchone()) == (42, "it's", True)


def test_tables_written_over_thrift_are_listed_by_metadata_calls(connection: Any, w: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA IF NOT EXISTS main.thrift")
        cursor.execute("CREATE OR REPLACE TABLE main.thrift.people (id INT, name STRING)")
        cursor.execute("INSERT INTO main.thrift.people VALUES (1, 'Ada'), (2, 'Bo')")
        assert cursor.rowcount == 2
        cursor.catalogs()
        assert {"main", "hive_metastore"} <= {r.TABLE_CAT for r in cursor.fetchall()}
        cursor.schemas(catalog_name="main", schema_name="thr%")
        assert [(r.TABLE_CATALOG, r.TABLE_SCHEM) for r in cursor.fetchall()] == [("main", "thrift")]
        cursor.tables(catalog_name="main", schema_name="thrift")
        assert [(r.TABLE_NAME, r.TABLE_TYPE) for r in cursor.fetchall()] == [("people", "TABLE")]
        cursor.columns(catalog_name="main", schema_name="thrift", table_name="people")
        assert [(r.COLUMN_NAME, r.TYPE_NAME, r.DATA_TYPE) for r in cursor.fetchall()] == [
            ("id", "INT", 4),
            ("name", "STRING", 12),
        ]
    assert "people" in {t.name for t in w.tables.list(catalog_name="main", schema_name="thrift")}


def test_errors_and_async_execution(connection: Any) -> None:
    from databricks.sql.exc import ServerOperationError

    with connection.cursor() as cursor:
        with pytest.raises(ServerOperationError, match=r"TABLE_OR_VIEW_NOT_FOUND"):
            cursor.execute("SELECT * FROM main.nowhere.nothing")
        cursor.execute_async("SELECT count(*) AS n FROM range(1000)")
        while cursor.is_query_pending():
            pass
        cursor.get_async_execution_result()
        assert cursor.fetchall()[0].n == 1000


def test_a_connection_starts_in_its_catalog_and_schema(w: Any, local_ws: Any, connection: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA IF NOT EXISTS main.start_here")
        cursor.execute("CREATE OR REPLACE TABLE main.start_here.things AS SELECT 7 AS n")
    with connect(w, local_ws, catalog="main", schema="start_here") as conn, conn.cursor() as cursor:
        cursor.execute("SELECT n FROM things")
        assert cursor.fetchall()[0].n == 7


def test_a_cluster_path_serves_too_and_a_wrong_token_is_refused(w: Any, local_ws: Any) -> None:
    from databricks import sql
    from databricks.sql.exc import RequestError

    cluster = w.clusters.create(cluster_name="thrift", spark_version="15.4.x-scala2.12").cluster_id
    address = urlsplit(local_ws.https_host)
    options = {
        "server_hostname": address.hostname,
        "_port": address.port,
        "_tls_trusted_ca_file": local_ws.ca_file,
        "enable_telemetry": False,
        "_retry_stop_after_attempts_count": 1,
    }
    with (
        sql.connect(
            http_path=f"/sql/protocolv1/o/0/{cluster}", access_token=local_ws.token, **options
        ) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute("SELECT 'cluster' AS via")
        assert cursor.fetchone().via == "cluster"
    with pytest.raises(RequestError):
        sql.connect(http_path=f"/sql/protocolv1/o/0/{cluster}", access_token="wrong", **options)


def test_a_session_sees_what_another_dropped_or_replaced_and_keeps_its_temporary_views(
    w: Any, local_ws: Any, connection: Any
) -> None:
    from databricks.sql.exc import ServerOperationError

    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA IF NOT EXISTS main.shared")
        cursor.execute("CREATE OR REPLACE TABLE main.shared.gone AS SELECT 1 AS n")
        cursor.execute("CREATE OR REPLACE TABLE main.shared.redone AS SELECT 1 AS n")
        cursor.execute("CREATE SCHEMA IF NOT EXISTS main.doomed")
    with connect(w, local_ws, catalog="main", schema="doomed") as other, other.cursor() as mine:
        mine.execute("CREATE TEMPORARY VIEW mine AS SELECT 42 AS answer")
        mine.execute("SELECT n FROM main.shared.gone")
        assert mine.fetchall()[0].n == 1
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE main.shared.gone")
            cursor.execute("CREATE OR REPLACE TABLE main.shared.redone AS SELECT 2 AS n, 'b' AS s")
            cursor.execute("CREATE OR REPLACE TABLE main.shared.added AS SELECT 3 AS n")
            cursor.execute("DROP SCHEMA main.doomed")

        with pytest.raises(ServerOperationError, match=r"TABLE_OR_VIEW_NOT_FOUND"):
            mine.execute("SELECT n FROM main.shared.gone")
        mine.execute("SELECT n, s FROM main.shared.redone")
        assert [tuple(r) for r in mine.fetchall()] == [(2, "b")]
        mine.execute("SELECT n FROM main.shared.added")
        assert mine.fetchall()[0].n == 3
        mine.execute("SELECT answer FROM mine")  # the same session: its temporary view is still there
        assert mine.fetchall()[0].answer == 42
        mine.execute("SELECT current_schema() AS s")  # its schema was dropped: back to the default
        assert mine.fetchall()[0].s == "default"


def test_delta_table_options_the_engine_lacks_are_accepted_as_on_a_warehouse(connection: Any) -> None:
    """Liquid clustering, change data feed, table comments and NOT NULL leave rows unchanged; a
    warehouse takes them, and so does the local one (the NOT NULL is checked against the rows)."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA IF NOT EXISTS main.thrift_options")
        cursor.execute(
            "CREATE TABLE main.thrift_options.events (id INT, kind STRING) CLUSTER BY (kind) "
            "TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')"
        )
        cursor.execute("INSERT INTO main.thrift_options.events VALUES (1, 'a'), (2, NULL)")
        cursor.execute(
            "CREATE TABLE main.thrift_options.kinds CLUSTER BY AUTO COMMENT 'one row a kind' "
            "AS SELECT DISTINCT kind FROM main.thrift_options.events WHERE kind IS NOT NULL"
        )
        cursor.execute("ALTER TABLE main.thrift_options.kinds ALTER COLUMN kind SET NOT NULL")
        cursor.execute("ALTER TABLE main.thrift_options.events ALTER COLUMN kind COMMENT 'what happened'")
        # maintenance and grants change no rows: accepted, as dbt-databricks sends them after a build
        cursor.execute("OPTIMIZE main.thrift_options.kinds")
        cursor.execute("GRANT SELECT ON TABLE main.thrift_options.kinds TO `account users`")
        cursor.execute("SELECT * FROM main.thrift_options.kinds")
        assert [tuple(r) for r in cursor.fetchall()] == [("a",)]
        with pytest.raises(Exception, match="DELTA_NOT_NULL_CONSTRAINT_VIOLATED"):
            cursor.execute("ALTER TABLE main.thrift_options.events ALTER COLUMN kind SET NOT NULL")
        cursor.execute("SHOW TBLPROPERTIES main.thrift_options.events")
        properties = {r[0]: r[1] for r in cursor.fetchall()}
        assert properties.get("brickyard.ignored.delta.enableChangeDataFeed") == "true"
