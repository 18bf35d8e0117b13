"""`GROUP BY ALL`, which Databricks SQL has and the local engine does not parse.

`GROUP BY ALL` groups by every item of the SELECT list that is not an aggregate. The engine does
group by position (`GROUP BY 1, 3`), so each `GROUP BY ALL` becomes the positions of those items
in its own SELECT (the nearest one before it at the same parenthesis depth); a SELECT of
aggregates only becomes a global aggregate, as on Databricks. A SELECT list with `*` is left as
written: its positions are not known from the text.
"""

from __future__ import annotations

import re

from brickyard.local.sql.text import code_spans, split_top_level

_GROUP_BY_ALL = re.compile(r"\bGROUP\s+BY\s+ALL\b", re.I)
_SELECT = re.compile(r"\bSELECT\b", re.I)
_FROM = re.compile(r"\bFROM\b", re.I)
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
    code = _masked(statement)
    for match in reversed(list(_GROUP_BY_ALL.finditer(code))):
        positions = _grouped_positions(code, match.start())
        if positions is None:
            continue
        replacement = f"GROUP BY {', '.join(map(str, positions))}" if positions else ""
        statement = statement[: match.start()] + replacement + statement[match.end() :]
    return statement


def _masked(text: str) -> str:
    """`text` with string literals and comments blanked out, same length, so positions agree."""
    chars = [" "] * len(text)
    for start, stop in code_spans(text):
        chars[start:stop] = text[start:stop]
    return "".join(chars)


def _grouped_positions(code: str, at: int) -> list[int] | None:
    select = _enclosing_select(code, at)
    if select is None:
        return None
    items = split_top_level(code[select : _from_after(code, select, at)])
    if any(item.strip() == "*" or item.strip().endswith(".*") for item in items):
        return None
    return [n for n, item in enumerate(items, start=1) if not _AGGREGATE.search(item)]


def _enclosing_select(code: str, at: int) -> int | None:
    """Where the list of the SELECT that `at` belongs to starts (just after the keyword)."""
    depth = 0
    for i in range(at - 1, -1, -1):
        ch = code[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            depth -= 1
            if depth < 0:
                return None
        elif (
            depth == 0
            and ch in "sS"
            and (match := _SELECT.match(code, i))
            and (i == 0 or not _word(code[i - 1]))
        ):
            return match.end()
    return None


def _from_after(code: str, start: int, limit: int) -> int:
    """The end of the SELECT list: its `FROM` at the same depth (or `limit` without one)."""
    depth = 0
    for i in range(start, limit):
        ch = code[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch in "fF" and _FROM.match(code, i) and not _word(code[i - 1]):
            return i
    return limit


def _word(ch: str) -> bool:
    return ch.isalnum() or ch in "_`$"
