"""`GROUP BY ALL` spelled out as the positions of the non-aggregate items of its SELECT (no engine)."""

from __future__ import annotations

import pytest

from brickyard.local.sql.group_by_all import expand_group_by_all


@pytest.mark.parametrize(
    ("written", "expanded"),
    [
        (
            "SELECT region, upper(city) AS c, count(*) AS n, sum(amount) FROM sales GROUP BY ALL",
            "SELECT region, upper(city) AS c, count(*) AS n, sum(amount) FROM sales GROUP BY 1, 2",
        ),
        (  # an aggregate inside an expression is not grouped; a CASE around columns is
            "SELECT CASE WHEN a > 0 THEN 'p' ELSE 'n' END sign, round(avg(b), 2) FROM t\nGROUP  BY  all ORDER BY 1",
            "SELECT CASE WHEN a > 0 THEN 'p' ELSE 'n' END sign, round(avg(b), 2) FROM t\nGROUP BY 1 ORDER BY 1",
        ),
        (  # only aggregates: a global aggregate
            "SELECT count(*), max(x) FROM t WHERE y = 'GROUP BY ALL' GROUP BY ALL",
            "SELECT count(*), max(x) FROM t WHERE y = 'GROUP BY ALL' ",
        ),
        (  # each GROUP BY ALL belongs to its own SELECT: subqueries, CTEs and unions
            "WITH c AS (SELECT k, v, count(*) AS n FROM t GROUP BY ALL) "
            "SELECT DISTINCT k, sum(n) FROM (SELECT k, n FROM c) s GROUP BY ALL "
            "UNION ALL SELECT 'z', min(n) FROM c GROUP BY ALL",
            "WITH c AS (SELECT k, v, count(*) AS n FROM t GROUP BY 1, 2) "
            "SELECT DISTINCT k, sum(n) FROM (SELECT k, n FROM c) s GROUP BY 1 "
            "UNION ALL SELECT 'z', min(n) FROM c GROUP BY 1",
        ),
        (  # a column named like an aggregate, and a function of a qualified name, are not aggregates
            "SELECT t.count, my.sum(x) AS s, COUNT (DISTINCT y) FROM t GROUP BY ALL",
            "SELECT t.count, my.sum(x) AS s, COUNT (DISTINCT y) FROM t GROUP BY 1, 2",
        ),
        ("SELECT *, count(*) FROM t GROUP BY ALL", "SELECT *, count(*) FROM t GROUP BY ALL"),  # left as is
        ("SELECT all_things FROM overall", "SELECT all_things FROM overall"),
    ],
)
def test_group_by_all_becomes_positions(written: str, expanded: str) -> None:
    assert expand_group_by_all(written) == expanded
