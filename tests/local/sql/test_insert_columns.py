"""An INSERT that names some columns, or names them otherwise, written out over the whole table."""

from __future__ import annotations

from brickyard.local.sql.insert_columns import fill_insert_columns

SCHEMA = [("id", "int"), ("name", "string"), ("loaded_at", "timestamp")]


def schema_of(name: str) -> list[tuple[str, str]] | None:
    return SCHEMA if name.replace("`", "") in ("main.sales.people", "people") else None


def test_left_out_columns_become_typed_nulls_and_names_match_in_any_case() -> None:
    written = "INSERT INTO main.sales.people (NAME, Id) VALUES ('ann', 1), ('bob', 2);"
    assert fill_insert_columns(written, schema_of) == (
        "INSERT INTO main.sales.people SELECT `Id` AS `id`, `NAME` AS `name`, "
        "CAST(NULL AS timestamp) AS `loaded_at` FROM VALUES ('ann', 1), ('bob', 2) AS __inserted(`NAME`, `Id`)"
    )


def test_statements_the_engine_takes_as_they_are_are_left_alone() -> None:
    unchanged = [
        "INSERT INTO people (id, name, loaded_at) VALUES (1, 'a', now())",  # the whole table, in order
        "INSERT INTO people VALUES (1, 'a', now())",  # no column list
        "INSERT INTO people (id) SELECT 1",  # a query: left to the engine
        "INSERT INTO people (id, shoe_size) VALUES (1, 42)",  # a column the table lacks: its error
        "INSERT INTO unknown (id) VALUES (1)",  # a table the engine does not have
        "SELECT 1",
    ]
    for statement in unchanged:
        assert fill_insert_columns(statement, schema_of) == statement
