"""Databricks SQL the local engine does not parse, rewritten where the meaning is kept (no engine)."""

from __future__ import annotations

from brickyard.local.tasks.sqlrewrite import engine_limit_note, rewrite


def test_identifier_clauses_with_parameters_become_quoted_names() -> None:
    args = {"catalog": "main", "schema": "sales"}

    assert rewrite("CREATE SCHEMA IF NOT EXISTS IDENTIFIER(:catalog || '.' || :schema)", args) == (
        "CREATE SCHEMA IF NOT EXISTS `main`.`sales`"
    )
    assert rewrite("USE IDENTIFIER('main.sales')") == "USE `main`.`sales`"
    assert (
        rewrite("SELECT 'IDENTIFIER(x)' FROM IDENTIFIER(col)")
        == "SELECT 'IDENTIFIER(x)' FROM IDENTIFIER(col)"
    )


def test_informational_constraints_are_dropped_from_create_table() -> None:
    statement = (
        "CREATE TABLE t (id BIGINT NOT NULL PRIMARY KEY RELY, o BIGINT, name STRING COMMENT 'a, b', "
        "CONSTRAINT pk PRIMARY KEY (id), CONSTRAINT fk FOREIGN KEY (o) REFERENCES s.u (id))"
    )

    assert rewrite(statement) == "CREATE TABLE t (id BIGINT NOT NULL, o BIGINT, name STRING COMMENT 'a, b')"


def test_materialized_views_and_streaming_tables_become_tables() -> None:
    assert rewrite(
        "CREATE OR REFRESH MATERIALIZED VIEW mv AS SELECT stream FROM STREAM(a) JOIN STREAM b"
    ) == ("CREATE OR REPLACE TABLE mv OPTIONS ('overwriteSchema' = 'true') AS SELECT stream FROM a JOIN b")
    assert rewrite("CREATE STREAMING TABLE IF NOT EXISTS st AS SELECT 1") == (
        "CREATE TABLE IF NOT EXISTS st AS SELECT 1"
    )


def test_liquid_clustering_and_unsupported_table_features_are_left_out_of_table_ddl() -> None:
    ctas = (
        '/* {"app": "dbt"} */\ncreate or replace table t using delta cluster by (a, b) '
        "tblproperties ('delta.enableChangeDataFeed' = 'true', 'quality' = 'gold') "
        "as select a, b, 'cluster by (a)' as s from u cluster by a"
    )
    ddl = (
        "CREATE TABLE t (a INT, b INT GENERATED ALWAYS AS (a + 1)) USING DELTA CLUSTER BY AUTO "
        "TBLPROPERTIES (delta.enableRowTracking = true, delta.appendOnly = true)"
    )

    assert rewrite(ctas) == (
        '/* {"app": "dbt"} */\ncreate or replace table t using delta '
        "tblproperties ('brickyard.ignored.delta.enableChangeDataFeed' = 'true', 'quality' = 'gold') "
        "OPTIONS ('overwriteSchema' = 'true') as select a, b, 'cluster by (a)' as s from u cluster by a"
    )
    assert rewrite(ddl) == (
        "CREATE TABLE t (a INT, b INT GENERATED ALWAYS AS (a + 1)) USING DELTA "
        "TBLPROPERTIES ('brickyard.ignored.delta.enableRowTracking' = 'true', delta.appendOnly = true)"
    )
    assert rewrite("ALTER TABLE t SET TBLPROPERTIES (delta.enableChangeDataFeed = true)") == (
        "ALTER TABLE t SET TBLPROPERTIES ('brickyard.ignored.delta.enableChangeDataFeed' = 'true')"
    )
    unchanged = "ALTER TABLE t SET TBLPROPERTIES ('delta.enableChangeDataFeed' = 'false')"
    assert rewrite(unchanged) == unchanged
    assert rewrite("SELECT * FROM t CLUSTER BY a") == "SELECT * FROM t CLUSTER BY a"


def test_a_replacing_ctas_of_a_delta_table_may_change_its_columns() -> None:
    dbt = '/* {"app": "dbt"} */\ncreate or replace table `m`.`s`.`t`\n  using delta\n  as\n  select 1 as n'
    assert rewrite(dbt) == (
        '/* {"app": "dbt"} */\ncreate or replace table `m`.`s`.`t`\n  using delta '
        "OPTIONS ('overwriteSchema' = 'true') as\n  select 1 as n"
    )
    assert (
        rewrite("REPLACE TABLE t AS SELECT 1")
        == "REPLACE TABLE t OPTIONS ('overwriteSchema' = 'true') AS SELECT 1"
    )
    # into the options a statement has, once
    assert rewrite("CREATE OR REPLACE TABLE t USING DELTA OPTIONS (a 'b') AS SELECT 1") == (
        "CREATE OR REPLACE TABLE t USING DELTA OPTIONS ('overwriteSchema' = 'true', a 'b') AS SELECT 1"
    )
    for unchanged in (
        "CREATE OR REPLACE TABLE t USING DELTA OPTIONS ('overwriteSchema' = 'false') AS SELECT 1",
        "CREATE OR REPLACE TABLE t USING parquet AS SELECT 1",
        "CREATE OR REPLACE TABLE t (n INT) USING delta",
        "CREATE TABLE t USING delta AS SELECT 'create or replace table u as' AS s",
        "SELECT 'replace table t as select 1'",
    ):
        assert rewrite(unchanged) == unchanged


def test_comments_and_not_null_columns_the_engine_refuses_are_recorded_instead() -> None:
    from brickyard.local.tasks.table_options import not_null_column

    assert rewrite(
        "CREATE OR REPLACE TABLE t (a INT COMMENT 'x') USING delta COMMENT 'docs' AS SELECT 1"
    ) == (
        "CREATE OR REPLACE TABLE t (a INT COMMENT 'x') USING delta OPTIONS ('overwriteSchema' = 'true') AS SELECT 1"
    )
    kept = "CREATE TABLE t (a INT) USING delta COMMENT 'docs'"
    assert rewrite(kept) == kept
    assert rewrite("alter table `m`.`s`.`t` change column id comment 'the id'") == (
        "ALTER TABLE `m`.`s`.`t` SET TBLPROPERTIES ('brickyard.ignored.comment.id' = 'the id')"
    )
    statement = "/* dbt */ alter table m.s.t alter column id set not null"
    assert not_null_column(statement) == ("m.s.t", "id")
    assert (
        rewrite(statement) == "ALTER TABLE m.s.t SET TBLPROPERTIES ('brickyard.ignored.not_null.id' = 'true')"
    )


def test_named_arguments_become_literals_outside_strings() -> None:
    assert rewrite("INSERT INTO t VALUES (:n, :s, ':n', x::int)", {"n": 3, "s": "O'Brien"}) == (
        "INSERT INTO t VALUES (3, 'O\\'Brien', ':n', x::int)"
    )


def test_parse_errors_of_the_engine_are_called_a_local_limit() -> None:
    note = engine_limit_note(ValueError("invalid argument: found DECLARE at 0:7 expected something else"))

    assert note is not None and "limit of the local workspace" in note
    assert engine_limit_note(ValueError("Table not found: t")) is None
    noted = ValueError("invalid argument: found DECLARE at 0:7 expected something else")
    noted.add_note(note)
    assert engine_limit_note(noted) is None  # said once, by the layer that saw it first
