"""Splitting SQL text into statements and binding widget values, without an engine."""

from __future__ import annotations

from brickyard.local.tasks.sql import split_statements, substitute


def test_statements_split_on_semicolons_outside_quotes_and_comments() -> None:
    text = """
    -- a comment; not a separator
    SELECT 'a;b' AS x, "c;d" AS `e;f`;
    /* block; comment */ INSERT INTO t VALUES ('it\\'s; fine');
    ;;
    -- only a comment;
    """

    statements = split_statements(text)

    assert len(statements) == 2
    assert statements[0].endswith("""SELECT 'a;b' AS x, "c;d" AS `e;f`""")
    assert statements[1].endswith("""INSERT INTO t VALUES ('it\\'s; fine')""")


def test_parameter_markers_become_escaped_string_literals() -> None:
    statements = split_statements("SELECT :name AS n, :missing AS m WHERE x = ':name'", {"name": "O'Brien"})

    assert statements == ["SELECT 'O\\'Brien' AS n, :missing AS m WHERE x = ':name'"]


def test_casts_and_json_paths_are_not_markers() -> None:
    text = "SELECT a::int, raw:field, arr[0]:x FROM t"

    assert split_statements(text, {"int": "1", "field": "2", "x": "3"}) == [text]


def test_legacy_dollar_references_are_replaced_textually() -> None:
    assert substitute(
        "SELECT * FROM ${schema}.t WHERE d = '${day}' -- ${nope}", {"schema": "s", "day": "1"}
    ) == ("SELECT * FROM s.t WHERE d = '1' -- ${nope}")


def test_sql_widgets_are_declared_before_the_cell_runs_and_parameters_win() -> None:
    from typing import Any

    from brickyard.local.dbutils.widgets import Widgets
    from brickyard.local.tasks.sql import run_sql

    class Recorder:
        def __init__(self) -> None:
            self.statements: list[str] = []

        def sql(self, statement: str) -> Any:
            self.statements.append(statement)

    spark, widgets = Recorder(), Widgets({"who": "from the job"})
    text = (
        "CREATE WIDGET TEXT who DEFAULT 'me';\n"
        "CREATE WIDGET DROPDOWN day DEFAULT 'mon' CHOICES SELECT 'mon';\n"
        "SELECT :who, :day, '${day}';\n"
        "REMOVE WIDGET day"
    )

    run_sql(spark, text, {}, widgets=widgets)

    assert spark.statements == ["SELECT 'from the job', 'mon', 'mon'"]
    assert widgets.getAll() == {"who": "from the job"}
