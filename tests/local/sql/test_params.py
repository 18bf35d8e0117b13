"""Parameter markers bound as typed literals, and the statement head the SQL layer dispatches on."""

from __future__ import annotations

import pytest

from brickyard.local.sql.compat import head
from brickyard.local.sql.errors import SqlError
from brickyard.local.sql.params import Parameter, bind


def test_named_markers_become_typed_literals_outside_quotes_comments_and_casts() -> None:
    text = "SELECT :a, ':a', x::int, j:field, :b -- :a\n FROM t WHERE d = :d"
    bound = bind(
        text, {"a": Parameter("it's"), "b": Parameter(None, "INT"), "d": Parameter("2024-01-01", "DATE")}
    )
    assert bound == (
        "SELECT 'it\\'s', ':a', x::int, j:field, CAST(NULL AS INT) -- :a\n FROM t WHERE d = CAST('2024-01-01' AS DATE)"
    )


def test_positional_markers_bind_in_order_and_unbound_names_fail() -> None:
    assert bind("SELECT ?, ?", {}, [Parameter("1", "INT"), Parameter("x")]) == "SELECT CAST('1' AS INT), 'x'"
    assert bind("SELECT '?' AS q", {}) == "SELECT '?' AS q"
    with pytest.raises(SqlError, match=r"^\[UNBOUND_SQL_PARAMETER\] Found the unbound parameter: nope\."):
        bind("SELECT :nope", {})
    with pytest.raises(SqlError, match="Invalid parameter type"):
        bind("SELECT :a", {"a": Parameter("1", "INT); DROP TABLE t; --")})


def test_head_drops_client_comments_and_semicolons() -> None:
    assert head('/* {"app": "dbt"} */\n  -- note\n  SET x = 1 ;;') == "SET x = 1"
