"""Parsing pipeline SQL declarations (no engine)."""

from __future__ import annotations

import pytest

from brickyard.errors import PipelineError
from brickyard.pipelines.graph import DatasetKind, Expectation
from brickyard.pipelines.sqldefs import SqlCdc, SqlDataset, SqlFlow, SqlSet, parse_statement
from brickyard.pipelines.sqltokens import split_statements, substitute


def _parse(sql: str) -> list[object]:
    return [parse_statement(s, "p.sql") for s in split_statements(sql, "p.sql")]


def test_statements_split_on_semicolons_outside_strings_and_comments() -> None:
    statements = split_statements("SET a = 'x;y'; -- c;\n/* d; */ SET b = 2;\n\n;", "p.sql")

    assert [(s.text, s.line) for s in statements] == [("SET a = 'x;y'", 1), ("SET b = 2", 2)]


def test_dataset_kinds_comments_and_constraints() -> None:
    bronze, gold, view, target = _parse(
        """
        CREATE OR REFRESH STREAMING TABLE bronze (
          id INT NOT NULL,
          CONSTRAINT has_id EXPECT (id IS NOT NULL) ON VIOLATION FAIL UPDATE,
          CONSTRAINT small EXPECT (id < 10 AND name != 'a,b') ON VIOLATION DROP ROW,
          CONSTRAINT named EXPECT (name IS NOT NULL)
        ) COMMENT 'raw' TBLPROPERTIES ('quality' = 'bronze') AS SELECT * FROM STREAM read_files('/x');
        CREATE MATERIALIZED VIEW gold CLUSTER BY (id) AS WITH t AS (SELECT 1 AS id) SELECT * FROM t;
        CREATE TEMPORARY LIVE VIEW v AS (SELECT 1);
        CREATE STREAMING TABLE target
        """
    )

    assert bronze == SqlDataset(
        "bronze",
        DatasetKind.STREAMING_TABLE,
        False,
        "raw",
        [
            Expectation("has_id", "id IS NOT NULL", "fail"),
            Expectation("small", "id < 10 AND name != 'a,b'", "drop"),
            Expectation("named", "name IS NOT NULL", "warn"),
        ],
        "SELECT * FROM STREAM read_files('/x')",
    )
    assert isinstance(gold, SqlDataset) and gold.kind is DatasetKind.MATERIALIZED_VIEW
    assert gold.query == "WITH t AS (SELECT 1 AS id) SELECT * FROM t"
    assert isinstance(view, SqlDataset) and view.kind is DatasetKind.VIEW and view.temporary
    assert isinstance(target, SqlDataset) and target.query is None


def test_apply_changes_and_auto_cdc_flows() -> None:
    legacy, flow = _parse(
        """
        APPLY CHANGES INTO LIVE.t FROM STREAM(LIVE.src) KEYS (id, region)
          IGNORE NULL UPDATES APPLY AS DELETE WHEN op = 'D' SEQUENCE BY struct(ts, n)
          COLUMNS * EXCEPT (op) STORED AS SCD TYPE 2 TRACK HISTORY ON name, city;
        CREATE FLOW f AS AUTO CDC INTO t FROM src KEYS (id) SEQUENCE BY ts COLUMNS id, name
        """
    )

    assert legacy == SqlCdc(
        name=None,
        target="LIVE.t",
        source="LIVE.src",
        keys=["id", "region"],
        sequence_by="struct(ts, n)",
        apply_as_deletes="op = 'D'",
        ignore_null_updates=True,
        except_column_list=["op"],
        scd_type=2,
        track_history_column_list=["name", "city"],
    )
    assert isinstance(flow, SqlCdc) and flow.name == "f" and flow.column_list == ["id", "name"]


def test_append_flows_and_set() -> None:
    flow, once, setting = _parse(
        """
        CREATE FLOW f AS INSERT INTO target BY NAME SELECT * FROM STREAM(src);
        CREATE FLOW g AS INSERT INTO ONCE target SELECT 1;
        SET my.key = "a value"
        """
    )

    assert flow == SqlFlow("f", "target", "SELECT * FROM STREAM(src)", False)
    assert isinstance(once, SqlFlow) and once.once
    assert setting == SqlSet("my.key", "a value")


def test_substitution_uses_configuration_and_keeps_unknown_keys() -> None:
    assert substitute("SELECT '${a}', ${ b }, ${c}", {"a": "1", "b": "2"}) == "SELECT '1', 2, ${c}"


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT 1", "is not a pipeline statement"),
        ("CREATE MATERIALIZED VIEW x", "needs AS <query>"),
        ("CREATE TABLE x (CONSTRAINT c EXPECT (a) ON VIOLATION IGNORE) AS SELECT 1", "ON VIOLATION DROP ROW"),
        ("APPLY CHANGES INTO t FROM s SEQUENCE BY x", "needs KEYS"),
        ("CREATE STREAMING TABLE t AS SELECT 'unterminated", "unterminated string"),
    ],
)
def test_bad_statements_name_the_file_and_line(sql: str, message: str) -> None:
    with pytest.raises(PipelineError, match=message) as caught:
        _parse("\n" + sql)

    assert caught.value.file == "p.sql"
    assert "p.sql:2" in str(caught.value)
