"""Rules against profiles: each rule breaks on its own, drift compares with the previous profile."""

from __future__ import annotations

import datetime as dt

from brickyard.checks.evaluate import evaluate
from brickyard.checks.model import TableRules
from brickyard.checks.profile import ColumnProfile, TableProfile, profile_query


def _profile(
    rows: int, nulls: int = 0, distinct: int = 10, rejected: int | None = None, newest: str | None = None
) -> TableProfile:
    return TableProfile(
        table="main.s.t",
        taken="2026-12-01T00:00:00+00:00",
        rows=rows,
        columns={"c": ColumnProfile(nulls=nulls, distinct=distinct, rejected=rejected)},
        newest=newest,
    )


def _rules(**columns: object) -> TableRules:
    return TableRules.model_validate(columns)


def test_a_clean_profile_breaks_nothing() -> None:
    rules = _rules(
        row_count={"min": 1}, columns={"c": {"not_null": True, "unique": True, "distinct": {"min": 5}}}
    )
    assert evaluate(rules, _profile(10, distinct=10), None) == []


def test_each_rule_reports_what_it_expected_and_what_it_saw() -> None:
    rules = _rules(
        row_count={"min": 100, "max": 1000},
        columns={"c": {"not_null": True, "unique": True, "max_null_rate": 0.1, "accepted_values": ["a"]}},
    )
    found = {
        f.check: (f.expected, f.actual)
        for f in evaluate(rules, _profile(10, nulls=2, distinct=3, rejected=4), None)
    }
    assert found == {
        "row_count": (">= 100 and <= 1000", "10"),
        "c: not_null": ("0 nulls", "2 nulls"),
        "c: max_null_rate": ("<= 10.00%", "20.00%"),
        "c: unique": ("8 distinct", "3 distinct"),
        "c: accepted_values": ("only accepted values", "4 other rows"),
    }


def test_freshness_compares_the_newest_value_with_now() -> None:
    rules = _rules(freshness={"column": "at", "max_age_hours": 2})
    recent = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)).isoformat()
    stale = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=5)).strftime("%Y-%m-%d %H:%M:%S")
    assert evaluate(rules, _profile(1, newest=recent), None) == []
    [late] = evaluate(rules, _profile(1, newest=stale), None)
    assert late.check == "at: freshness" and late.actual.endswith("h old")


def test_drift_fails_when_a_null_rate_jumps_or_the_volume_drops() -> None:
    rules = _rules(columns={"c": {}}, drift={"row_count": 0.5, "null_rate": 0.05, "distinct": 0.5})
    before = _profile(1000, nulls=10, distinct=100)
    assert evaluate(rules, _profile(1100, nulls=20, distinct=110), before) == []
    found = {f.check for f in evaluate(rules, _profile(400, nulls=200, distinct=20), before)}
    assert found == {"drift: row_count", "drift: c null rate", "drift: c distinct"}
    assert evaluate(rules, _profile(400, nulls=200, distinct=20), None) == []  # no baseline yet


def test_the_profile_is_one_query_with_quoted_names() -> None:
    rules = _rules(
        columns={"odd`name": {"accepted_values": ["it's", 3]}}, freshness={"column": "at", "max_age_hours": 1}
    )
    assert profile_query("main.s.t", rules) == (
        "SELECT count(*), count(`odd``name`), count(DISTINCT `odd``name`), "
        "count_if(`odd``name` IS NOT NULL AND `odd``name` NOT IN ('it\\'s', 3)), "
        "CAST(max(`at`) AS STRING) FROM `main`.`s`.`t`"
    )
