"""`GROUP BY ALL`, which Databricks SQL has and the local engine does not parse.

`GROUP BY ALL` groups by every item of the SELECT list that is not an aggregate. The engine does
group by position (`GROUP BY 1, 3`), so each `GROUP BY ALL` becomes the positions of those items
in its own SELECT (the nearest one before it at the same parenthesis depth); a SELECT of
aggregates only becomes a global aggregate, as on Databricks. A SELECT list with `*` is left as
written: its positions are not known from the text.
"""

from __future__ import annotations

import re

from brickyard.local.sql.text import enclosing_select, masked, select_list_end, split_top_level

_GROUP_BY_ALL = re.compile(r"\bGROUP\s+BY\s+ALL\b", re.I)
_AGGREGATES = (
    "count|count_if|sum|try_sum|avg|try_avg|mean|min|max|min_by|max_by|first|last|first_value|last_value"
    "|any_value|any|some|every|bool_and|bool_or|collect_list|collect_set|array_agg|string_agg|listagg"
    "|median|mode|percentile|percentile_approx|percentile_cont|percentile_disc|approx_percentile"
    "|approx_count_distinct|approx_top_k|stddev|stddev_pop|stddev_samp|std|variance|var_pop|var_samp"
    "|corr|covar_pop|covar_samp|kurtosis|skewness|bit_and|bit_or|bit_xor|histogram_numeric"
    "|regr_avgx|regr_avgy|regr_count|regr_intercept|regr_r2|regr_slope|regr_sxx|regr_sxy|regr_syy"
    "|hll_sketch_agg|hll_union_agg|measure"
)
_AGGREGATE = re.compile(rf"(?<![\w.`])(?:{_AGGREGATES})\s*\(", re.I)


def expand_group_by_all(statement: str) -> str:
    """`statement` with each `GROUP BY ALL` spelled out as positions; unchanged without one."""
    if not _GROUP_BY_ALL.search(statement):
        return statement
    code = masked(statement)
    for match in reversed(list(_GROUP_BY_ALL.finditer(code))):
        positions = _grouped_positions(code, match.start())
        if positions is None:
            continue
        replacement = f"GROUP BY {', '.join(map(str, positions))}" if positions else ""
        statement = statement[: match.start()] + replacement + statement[match.end() :]
    return statement


def _grouped_positions(code: str, at: int) -> list[int] | None:
    select = enclosing_select(code, at)
    if select is None:
        return None
    items = split_top_level(code[select : select_list_end(code, select, at)])
    if any(item.strip() == "*" or item.strip().endswith(".*") for item in items):
        return None
    return [n for n, item in enumerate(items, start=1) if not _AGGREGATE.search(item)]
