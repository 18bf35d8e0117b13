"""Expectations: count the rows that pass and fail each constraint, then warn, drop or fail.

All counts come from one aggregate over the flow's input before anything is written, so an
`expect_or_fail` violation stops the flow with the target table untouched. A constraint that
evaluates to NULL counts as failed, and `drop` removes such rows: the filter keeps only rows for
which every drop constraint is true.
"""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brickyard.errors import PipelineError
from brickyard.pipelines.graph import Expectation

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame


@dataclass(frozen=True)
class ExpectationCount:
    expectation: Expectation
    dataset: str
    passed: int
    failed: int

    def as_event(self) -> dict[str, Any]:
        return {
            "name": self.expectation.name,
            "dataset": self.dataset,
            "passed_records": self.passed,
            "failed_records": self.failed,
        }


@dataclass
class QualityReport:
    """The `data_quality` part of a flow_progress event."""

    counts: list[ExpectationCount] = field(default_factory=list)
    dropped: int = 0

    def extend(self, other: QualityReport) -> None:
        self.counts.extend(other.counts)
        self.dropped += other.dropped

    def as_event(self) -> dict[str, Any]:
        return {"dropped_records": self.dropped, "expectations": [c.as_event() for c in self.counts]}


class ExpectationViolation(PipelineError):
    """An `expect_or_fail` constraint failed; the message shows the first failing row."""


def _condition(expectation: Expectation) -> Column:
    from pyspark.sql import functions as F

    return F.coalesce(F.expr(expectation.constraint), F.lit(False))


def validate(df: DataFrame, expectations: list[Expectation], dataset: str, file: str | None) -> None:
    """Fail early (at analysis) when a constraint does not compile against the dataset's columns."""
    if not expectations:
        return
    from pyspark.sql import functions as F

    everything = [F.expr(e.constraint).alias(f"_{i}") for i, e in enumerate(expectations)]
    with suppress(Exception):  # one round trip for all; one per expectation only to name a broken one
        df.select(*everything).schema  # noqa: B018 - forces analysis
        return
    for expectation in expectations:
        try:
            df.select(F.expr(expectation.constraint).alias("_")).schema  # noqa: B018 - forces analysis
        except Exception as exc:
            raise PipelineError(
                f"expectation '{expectation.name}' on dataset '{dataset}' is not a valid condition "
                f"({expectation.constraint}): {_first_line(exc)}",
                dataset=dataset,
                file=file,
            ) from exc


def enforce(
    df: DataFrame, expectations: list[Expectation], dataset: str, file: str | None
) -> tuple[DataFrame, QualityReport | None]:
    """Measure every expectation on `df`, raise for `fail` ones that failed, drop for `drop` ones."""
    if not expectations:
        return df, None
    from pyspark.sql import functions as F

    drops = [e for e in expectations if e.action == "drop"]
    aggregates = [F.count(F.lit(1)).alias("total")]
    aggregates += [
        F.sum(F.when(_condition(e), 0).otherwise(1)).alias(f"failed_{i}") for i, e in enumerate(expectations)
    ]
    keep: Column | None = None
    for expectation in drops:
        keep = _condition(expectation) if keep is None else keep & _condition(expectation)
    if keep is not None:
        aggregates.append(F.sum(F.when(keep, 0).otherwise(1)).alias("dropped"))
    try:
        row = df.agg(*aggregates).collect()[0]
    except Exception as exc:
        raise PipelineError(
            f"checking the expectations of dataset '{dataset}' failed: {_first_line(exc)}",
            dataset=dataset,
            file=file,
        ) from exc
    total = int(row["total"] or 0)
    report = QualityReport(dropped=int(row["dropped"] or 0) if keep is not None else 0)
    for i, expectation in enumerate(expectations):
        failed = int(row[f"failed_{i}"] or 0)
        report.counts.append(ExpectationCount(expectation, dataset, total - failed, failed))
    for count in report.counts:
        if count.expectation.action == "fail" and count.failed:
            raise _violation(df, count, file)
    return (df.filter(keep) if keep is not None else df), report


def _violation(df: DataFrame, count: ExpectationCount, file: str | None) -> ExpectationViolation:
    expectation = count.expectation
    sample = df.filter(~_condition(expectation)).limit(1).collect()
    example = json.dumps(sample[0].asDict(recursive=True), default=str) if sample else "(not available)"
    return ExpectationViolation(
        f"dataset '{count.dataset}' failed expectation '{expectation.name}' ({expectation.constraint}): "
        f"{count.failed} of {count.passed + count.failed} records violated it, so the update stopped before "
        f"writing '{count.dataset}'. First failing record: {example}",
        dataset=count.dataset,
        file=file,
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
