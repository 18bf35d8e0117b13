"""Finding and rewriting dataset references in pipeline queries (no engine)."""

from __future__ import annotations

from brickyard.pipelines.sqlrefs import TableRef, find_refs, rewrite


def _names(sql: str) -> list[tuple[str | None, bool]]:
    return [(r.name or r.function, r.stream) for r in find_refs(sql)]


def test_references_in_from_join_and_from_lists() -> None:
    sql = (
        "SELECT * FROM LIVE.a x, c, main.s.d AS e JOIN b ON x.id = b.id "
        "LEFT JOIN STREAM(LIVE.f) g ON 1 = 1 WHERE x.id IN (SELECT id FROM h)"
    )

    assert _names(sql) == [
        ("LIVE.a", False),
        ("c", False),
        ("main.s.d", False),
        ("b", False),
        ("LIVE.f", True),
        ("h", False),
    ]


def test_stream_keyword_file_functions_and_what_is_not_a_table() -> None:
    sql = """
        WITH recent AS (SELECT * FROM STREAM src)
        SELECT extract(year FROM ts), trim(BOTH ' ' FROM name) FROM recent, range(3)
        UNION ALL SELECT * FROM STREAM read_files('/in', format => 'csv')
        UNION ALL SELECT * FROM cloud_files('/in2', 'json')
    """

    assert _names(sql) == [("src", True), ("read_files", True), ("cloud_files", True)]


def test_rewrite_keeps_aliases_and_adds_one_where_missing() -> None:
    def resolve(ref: TableRef) -> str | None:
        return None if ref.name == "external" else f"v_{(ref.name or '').replace('.', '_')}"

    sql = "SELECT a.x, b.y FROM LIVE.a JOIN STREAM(b) b2 ON a.k = b2.k JOIN external e ON 1 = 1"

    assert rewrite(sql, resolve) == (
        "SELECT a.x, b.y FROM v_LIVE_a AS `a` JOIN v_b b2 ON a.k = b2.k JOIN external e ON 1 = 1"
    )
