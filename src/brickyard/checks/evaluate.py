"""Rules against a profile (and the previous one): each broken rule is one finding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from brickyard.checks.model import Range, TableRules
from brickyard.checks.profile import TableProfile


@dataclass(frozen=True)
class Finding:
    table: str
    check: str
    expected: str
    actual: str

    def as_json(self) -> dict[str, str]:
        return self.__dict__.copy()


Fail = Callable[[str, str, object], None]


def evaluate(rules: TableRules, now: TableProfile, before: TableProfile | None) -> list[Finding]:
    found: list[Finding] = []

    def fail(check: str, expected: str, actual: object) -> None:
        found.append(Finding(now.table, check, expected, str(actual)))

    if rules.row_count is not None:
        _range(fail, "row_count", rules.row_count, now.rows)
    for name, column in rules.columns.items():
        profile = now.columns[name]
        rate = now.null_rate(name)
        if column.not_null and profile.nulls:
            fail(f"{name}: not_null", "0 nulls", f"{profile.nulls} nulls")
        if column.max_null_rate is not None and rate > column.max_null_rate:
            fail(f"{name}: max_null_rate", f"<= {column.max_null_rate:.2%}", f"{rate:.2%}")
        if column.unique and profile.distinct != now.rows - profile.nulls:
            fail(f"{name}: unique", f"{now.rows - profile.nulls} distinct", f"{profile.distinct} distinct")
        if column.distinct is not None:
            _range(fail, f"{name}: distinct", column.distinct, profile.distinct)
        if profile.rejected:
            fail(f"{name}: accepted_values", "only accepted values", f"{profile.rejected} other rows")
    if rules.freshness is not None:
        _freshness(fail, rules.freshness.column, rules.freshness.max_age_hours, now.newest)
    if rules.drift is not None and before is not None:
        _drift(fail, rules, now, before)
    return found


def _range(fail: Fail, check: str, bounds: Range, value: float) -> None:
    low = bounds.min if bounds.min is not None else float("-inf")
    high = bounds.max if bounds.max is not None else float("inf")
    if not low <= value <= high:
        parts = [
            f">= {bounds.min:g}" if bounds.min is not None else "",
            f"<= {bounds.max:g}" if bounds.max is not None else "",
        ]
        fail(check, " and ".join(p for p in parts if p), f"{value:g}")


def _freshness(fail: Fail, column: str, hours: float, newest: str | None) -> None:
    if newest is None:
        fail(f"{column}: freshness", f"a value within {hours:g}h", "no rows")
        return
    try:
        latest = dt.datetime.fromisoformat(newest.replace("Z", "+00:00"))
    except ValueError:
        fail(f"{column}: freshness", "a date or timestamp column", newest)
        return
    if latest.tzinfo is None:
        latest = latest.replace(tzinfo=dt.UTC)
    age = (dt.datetime.now(dt.UTC) - latest).total_seconds() / 3600
    if age > hours:
        fail(f"{column}: freshness", f"newer than {hours:g}h", f"{age:.1f}h old")


def _relative(new: float, old: float) -> float:
    if old == 0:
        return 0.0 if new == 0 else float("inf")
    return abs(new - old) / old


def _drift(fail: Fail, rules: TableRules, now: TableProfile, before: TableProfile) -> None:
    drift = rules.drift
    assert drift is not None
    if drift.row_count is not None and _relative(now.rows, before.rows) > drift.row_count:
        fail("drift: row_count", f"within {drift.row_count:.0%} of {before.rows}", now.rows)
    for name in rules.columns:
        if name not in before.columns:
            continue
        if drift.null_rate is not None:
            change = abs(now.null_rate(name) - before.null_rate(name))
            if change > drift.null_rate:
                fail(
                    f"drift: {name} null rate",
                    f"within {drift.null_rate:.0%} points of {before.null_rate(name):.2%}",
                    f"{now.null_rate(name):.2%}",
                )
        if drift.distinct is not None:
            old, new = before.columns[name].distinct, now.columns[name].distinct
            if _relative(new, old) > drift.distinct:
                fail(f"drift: {name} distinct", f"within {drift.distinct:.0%} of {old}", new)
