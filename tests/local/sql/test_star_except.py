"""`[t.]* EXCEPT (…)` spelled out from the columns the engine says the star stands for (a fake
engine here: a table of the columns each FROM clause gives; the real one in the warehouse tests)."""

from __future__ import annotations

import pytest

from brickyard.local.sql.star_except import expand_star_except

JOINED = ["id", "region", "amount", "note", "code", "name"]
PROBES = {
    "SELECT * FROM sales": ["id", "region", "amount", "note"],
    "SELECT s.* from sales s join regions r on s.region = r.code ": ["id", "region", "amount", "note"],
    "SELECT * FROM sales s JOIN regions r ON s.region = r.code": JOINED,
    "WITH c AS (SELECT `id`, `amount` FROM sales) SELECT * FROM c": ["id", "amount"],
    "SELECT * FROM sales ": ["id", "region", "amount", "note"],
    "SELECT * FROM a JOIN b USING (k)": ["k", "x", "k", "y"],
}


def columns_of(query: str) -> list[str] | None:
    return PROBES.get(query)


@pytest.mark.parametrize(
    ("written", "expanded"),
    [
        ("SELECT * EXCEPT (note) FROM sales", "SELECT `id`, `region`, `amount` FROM sales"),
        (  # qualified, mixed case, quoted and qualified names in the list; a string is not code
            "select s.* except (S.Note, `amount`), r.name from sales s join regions r on s.region = r.code "
            "where s.note <> '* except (x)'",
            "select s.`id`, s.`region`, r.name from sales s join regions r on s.region = r.code "
            "where s.note <> '* except (x)'",
        ),
        (  # a later query sees the common table expressions before it, already spelled out
            "WITH c AS (SELECT * EXCEPT(region, note) FROM sales) SELECT * EXCEPT (amount) FROM c",
            "WITH c AS (SELECT `id`, `amount` FROM sales) SELECT `id` FROM c",
        ),
        (  # inside a subquery and after DISTINCT, with clauses after the FROM
            "CREATE TABLE t AS SELECT * FROM (SELECT DISTINCT * EXCEPT (note) FROM sales ORDER BY id LIMIT 3) x",
            "CREATE TABLE t AS SELECT * FROM (SELECT DISTINCT `id`, `region`, `amount` FROM sales ORDER BY id LIMIT 3) x",
        ),
        (  # a join's unqualified star, once the duplicate column is gone
            "SELECT * EXCEPT (note, code) FROM sales s JOIN regions r ON s.region = r.code",
            "SELECT `id`, `region`, `amount`, `name` FROM sales s JOIN regions r ON s.region = r.code",
        ),
    ],
)
def test_star_except_becomes_the_columns(written: str, expanded: str) -> None:
    assert expand_star_except(written, columns_of) == expanded


@pytest.mark.parametrize(
    "written",
    [
        "SELECT * FROM sales EXCEPT (SELECT * FROM sales)",  # the set operator
        "SELECT * EXCEPT (missing) FROM sales",  # the engine's own error says which column
        "SELECT * EXCEPT (id, region, amount, note) FROM sales",  # nothing left
        "SELECT * EXCEPT (x) FROM a JOIN b USING (k)",  # `k` twice: ambiguous when spelled out
        "SELECT * EXCEPT (x) FROM unknown",  # the engine refuses the probe
        "SELECT 1 AS `* EXCEPT (a)`",
    ],
)
def test_left_as_written_when_the_columns_are_not_known(written: str) -> None:
    assert expand_star_except(written, columns_of) == written
