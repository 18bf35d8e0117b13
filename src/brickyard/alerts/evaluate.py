"""Rules against history, without side effects: which alerts fire now.

Each alert names the run or update that made it fire (`event`), so the caller can tell an alert it
already delivered from a new one: a failed run alerts once, not at every check until the next run.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from brickyard.alerts.model import (
    DurationRegressionRule,
    ExpectationRateRule,
    FailedRunRule,
    VolumeDropRule,
)
from brickyard.runs.history import RunRecord, TrendRule, trend
from brickyard.runs.pipeline import UpdateOutcome


@dataclass(frozen=True)
class Alert:
    rule: str
    type: str
    subject: str
    """The job, or `pipeline/dataset`."""
    event: str
    """The run or update that fired it."""
    message: str
    url: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "type": self.type,
            "subject": self.subject,
            "event": self.event,
            "message": self.message,
            "url": self.url,
        }


def failed_run(rule: FailedRunRule, job: str, runs: Sequence[RunRecord]) -> list[Alert]:
    latest = next((r for r in runs if r.finished), None)  # runs are newest first
    if latest is None or latest.succeeded:
        return []
    why = f": {latest.message}" if latest.message else ""
    return [
        Alert(
            rule.id,
            rule.type,
            job,
            str(latest.run_id),
            f"job {job} run {latest.run_id} ended {latest.result or latest.state}{why}",
            latest.url,
        )
    ]


def duration_regression(rule: DurationRegressionRule, job: str, runs: Sequence[RunRecord]) -> list[Alert]:
    summary = trend(job, runs, TrendRule(window=rule.runs, factor=rule.factor, min_runs=rule.min_runs))
    if not summary.regression or summary.latest_seconds is None or summary.baseline_seconds is None:
        return []
    latest = next(r for r in runs if r.finished)
    before = min(rule.runs, summary.finished - 1)
    ratio = summary.latest_seconds / summary.baseline_seconds if summary.baseline_seconds else float("inf")
    return [
        Alert(
            rule.id,
            rule.type,
            job,
            str(latest.run_id),
            f"job {job} run {latest.run_id} took {summary.latest_seconds:.1f}s, {ratio:.1f}x the median "
            f"{summary.baseline_seconds:.1f}s of the {before} run(s) before it (limit {rule.factor}x)",
            latest.url,
        )
    ]


def expectation_rate(
    rule: ExpectationRateRule, pipeline: str, updates: Sequence[UpdateOutcome]
) -> list[Alert]:
    latest = next((u for u in updates if u.flows), None)
    if latest is None:
        return []
    alerts = []
    for flow in latest.flows:
        if rule.datasets and flow.dataset not in rule.datasets:
            continue
        for exp in flow.expectations:
            checked = exp.passed + exp.failed
            if checked and exp.failed / checked > rule.threshold:
                alerts.append(
                    Alert(
                        rule.id,
                        rule.type,
                        f"{pipeline}/{flow.dataset}",
                        f"{latest.update_id}/{exp.name}",
                        f"pipeline {pipeline} update {latest.update_id}: expectation {exp.name} on "
                        f"{flow.dataset} failed {exp.failed} of {checked} records "
                        f"({exp.failed / checked:.1%}, limit {rule.threshold:.1%})",
                    )
                )
    return alerts


def volume_drop(rule: VolumeDropRule, pipeline: str, updates: Sequence[UpdateOutcome]) -> list[Alert]:
    done = [u for u in updates if u.state == "COMPLETED"]
    if len(done) < 2:
        return []
    latest, before = done[0], done[1 : 1 + rule.runs]
    alerts = []
    for flow in latest.flows:
        if flow.rows is None or (rule.datasets and flow.dataset not in rule.datasets):
            continue
        previous = [r for u in before for r in _rows(u, flow.dataset)]
        if not previous:
            continue
        baseline = statistics.median(previous)
        if flow.rows < (1 - rule.drop) * baseline:
            alerts.append(
                Alert(
                    rule.id,
                    rule.type,
                    f"{pipeline}/{flow.dataset}",
                    latest.update_id,
                    f"pipeline {pipeline} update {latest.update_id}: {flow.dataset} wrote {flow.rows} rows, "
                    f"the median of the {len(previous)} update(s) before was {baseline:g} "
                    f"(alert below {1 - rule.drop:.0%} of it)",
                )
            )
    return alerts


def _rows(update: UpdateOutcome, dataset: str) -> list[int]:
    return [f.rows for f in update.flows if f.dataset == dataset and f.rows is not None]


def job_alerts(
    rule: FailedRunRule | DurationRegressionRule, runs: Mapping[str, Sequence[RunRecord]]
) -> list[Alert]:
    alerts = []
    for job, job_runs in runs.items():
        if rule.jobs and job not in rule.jobs:
            continue
        if isinstance(rule, FailedRunRule):
            alerts += failed_run(rule, job, job_runs)
        else:
            alerts += duration_regression(rule, job, job_runs)
    return alerts


def pipeline_alerts(
    rule: ExpectationRateRule | VolumeDropRule, updates: Mapping[str, Sequence[UpdateOutcome]]
) -> list[Alert]:
    alerts = []
    for pipeline, pipeline_updates in updates.items():
        if rule.pipelines and pipeline not in rule.pipelines:
            continue
        if isinstance(rule, ExpectationRateRule):
            alerts += expectation_rate(rule, pipeline, pipeline_updates)
        else:
            alerts += volume_drop(rule, pipeline, pipeline_updates)
    return alerts
