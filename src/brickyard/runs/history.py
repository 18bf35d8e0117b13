"""Run history: a target's job runs read through the Jobs API, and a trend per job.

The runs come from `jobs.list_runs` (newest first, paginated by the SDK, `expand_tasks` when task
detail is wanted), so the same code reads the local workspace and a real one. A workspace keeps
runs for a limited time; runs `brickyard runs sync` stored (`runs.history_store`) are merged in,
so a trend survives that retention.

A trend is computed from finished runs only: the success rate, the median duration, the last
durations, and a regression flag when the newest finished run took more than `factor` times the
median of the `window` runs before it (and at least `min_runs` such runs exist to compare with).
"""

from __future__ import annotations

import dataclasses
import itertools
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brickyard.errors import BrickyardError, UsageError
from brickyard.runs.dbt_history import DbtInvocation, dbt_invocations

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from brickyard.context import AppContext
    from brickyard.deploy.target import Target
    from brickyard.runs.pipeline import UpdateOutcome

SUCCEEDED = frozenset({"SUCCESS", "SUCCESS_WITH_FAILURES"})


@dataclass(frozen=True)
class TaskRecord:
    task_key: str
    state: str
    result: str
    start_ms: int
    seconds: float | None
    attempt: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "task_key": self.task_key,
            "state": self.state,
            "result": self.result,
            "start_time": self.start_ms,
            "duration_seconds": self.seconds,
            "attempt": self.attempt,
        }


@dataclass(frozen=True)
class RunRecord:
    """One job run as history keeps it: enough for trends and alerts, nothing secret."""

    run_id: int
    job_id: int
    job: str
    """The bundle's resource key for the job, or the run's name when the bundle does not have it."""
    state: str
    """The life cycle state (TERMINATED, RUNNING, SKIPPED, …)."""
    result: str
    """The result state once the run ended (SUCCESS, FAILED, …); empty before."""
    start_ms: int
    seconds: float | None
    """How long the run took; None while it runs."""
    trigger: str
    url: str = ""
    message: str = ""
    tasks: tuple[TaskRecord, ...] = ()
    dbt: tuple[DbtInvocation, ...] = ()
    """What each dbt task's `run_results.json` said (read with the tasks)."""

    @property
    def finished(self) -> bool:
        return self.seconds is not None and bool(self.result)

    @property
    def succeeded(self) -> bool:
        return self.result in SUCCEEDED

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "run_id": self.run_id,
            "job_id": self.job_id,
            "job": self.job,
            "state": self.state,
            "result": self.result,
            "start_time": self.start_ms,
            "duration_seconds": self.seconds,
            "trigger": self.trigger,
            "url": self.url,
            "message": self.message,
        }
        if self.tasks:
            doc["tasks"] = [t.as_json() for t in self.tasks]
        if self.dbt:
            doc["dbt"] = [d.as_json() for d in self.dbt]
        return doc

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> RunRecord:
        return cls(
            run_id=int(doc["run_id"]),
            job_id=int(doc["job_id"]),
            job=str(doc["job"]),
            state=str(doc["state"]),
            result=str(doc["result"]),
            start_ms=int(doc["start_time"]),
            seconds=doc["duration_seconds"],
            trigger=str(doc["trigger"]),
            url=str(doc.get("url", "")),
            message=str(doc.get("message", "")),
            tasks=tuple(
                TaskRecord(
                    str(t["task_key"]),
                    str(t["state"]),
                    str(t["result"]),
                    int(t["start_time"]),
                    t["duration_seconds"],
                    int(t.get("attempt", 0)),
                )
                for t in doc.get("tasks") or []
            ),
            dbt=tuple(DbtInvocation.from_json(d) for d in doc.get("dbt") or []),
        )


@dataclass(frozen=True)
class TrendRule:
    window: int = 10
    """How many finished runs before the newest one the median is taken over."""
    factor: float = 1.5
    """The newest run is a regression when it took more than `factor` times that median."""
    min_runs: int = 3
    """Fewer earlier runs than this and nothing is called a regression."""


@dataclass(frozen=True)
class Trend:
    job: str
    runs: int
    finished: int
    succeeded: int
    median_seconds: float | None
    last_seconds: tuple[float, ...]
    """The newest finished runs' durations, newest first."""
    latest_seconds: float | None
    baseline_seconds: float | None
    """The median of the finished runs before the newest one (within the window)."""
    regression: bool

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.finished if self.finished else None

    def as_json(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "runs": self.runs,
            "finished": self.finished,
            "succeeded": self.succeeded,
            "success_rate": None if self.success_rate is None else round(self.success_rate, 4),
            "median_seconds": _round(self.median_seconds),
            "last_seconds": [round(s, 3) for s in self.last_seconds],
            "latest_seconds": _round(self.latest_seconds),
            "baseline_seconds": _round(self.baseline_seconds),
            "regression": self.regression,
        }


def trend(job: str, runs: Sequence[RunRecord], rule: TrendRule = TrendRule()) -> Trend:
    """The trend of one job's runs (any order)."""
    newest_first = sorted(runs, key=lambda r: r.start_ms, reverse=True)
    done = [r for r in newest_first if r.finished]
    durations = [r.seconds for r in done if r.seconds is not None]
    latest = durations[0] if durations else None
    before = durations[1 : 1 + rule.window]
    baseline = statistics.median(before) if before else None
    regression = (
        latest is not None
        and baseline is not None
        and len(before) >= rule.min_runs
        and latest > rule.factor * baseline
    )
    return Trend(
        job=job,
        runs=len(newest_first),
        finished=len(done),
        succeeded=sum(1 for r in done if r.succeeded),
        median_seconds=statistics.median(durations) if durations else None,
        last_seconds=tuple(durations[: rule.window]),
        latest_seconds=latest,
        baseline_seconds=baseline,
        regression=regression,
    )


@dataclass
class History:
    """The runs of the jobs asked for, newest first, and one trend per job."""

    target: str
    runs: list[RunRecord] = field(default_factory=list)
    trends: list[Trend] = field(default_factory=list)
    updates: dict[str, list[UpdateOutcome]] = field(default_factory=dict)
    """Each pipeline's newest updates (rows and expectation counts per dataset), newest first."""

    def of(self, job: str) -> list[RunRecord]:
        return [r for r in self.runs if r.job == job]

    def as_json(self, tasks: bool = False) -> dict[str, Any]:
        return {
            "target": self.target,
            "jobs": [t.as_json() for t in self.trends],
            "runs": [_without_tasks(r.as_json()) if not tasks else r.as_json() for r in self.runs],
            "pipelines": [
                {"pipeline": key, "updates": [u.as_json() for u in updates]}
                for key, updates in sorted(self.updates.items())
            ],
        }


def target_pipelines(ctx: AppContext, target: Target, key: str | None) -> dict[str, str]:
    """The deployed pipelines of the target by resource key: all of them, the one named, or none
    when `key` names something else (a job)."""
    return _deployed(ctx, target, "pipelines", key)


def target_jobs(ctx: AppContext, target: Target, key: str | None) -> dict[str, int]:
    """The deployed jobs of the target by resource key: all of them, or the one named."""
    deployed = {name: int(id_) for name, id_ in _deployed(ctx, target, "jobs", key).items()}
    if key is None or key in deployed:
        return deployed
    known = sorted([*target.bundle.resources("jobs"), *target.bundle.resources("pipelines")])
    raise UsageError(f"no job or pipeline named {key}; this bundle has: {', '.join(known) or 'none'}")


def _deployed(ctx: AppContext, target: Target, kind: str, key: str | None) -> dict[str, str]:
    """The deployed resources of `kind` by key (only `key`'s when given, {} when it is not one of
    them); a resource the bundle defines but has not deployed yet is an error saying so."""
    state = target.read_state(ctx)
    deployed = {
        address.split(".", 1)[1]: str(resource.id)
        for address, resource in state.resources.items()
        if address.startswith(f"{kind}.")
    }
    if key is None:
        return deployed
    if key in deployed:
        return {key: deployed[key]}
    if key in target.bundle.resources(kind):
        raise BrickyardError(
            f"{kind.removesuffix('s')} {key} is not deployed to target {target.bundle.target} yet; "
            f"run `brickyard deploy -t {target.bundle.target}` first"
        )
    return {}


def fetch_runs(
    client: WorkspaceClient, job_id: int, job: str, limit: int, tasks: bool = False
) -> list[RunRecord]:
    """The newest `limit` runs of one job, newest first (the SDK follows the pages); with `tasks`,
    each run's tasks and the results of its ended dbt tasks."""
    listed = client.jobs.list_runs(job_id=job_id, expand_tasks=tasks, limit=min(max(limit, 1), 25))
    records = []
    for run in itertools.islice(listed, limit):
        record = to_record(run, job, tasks)
        if tasks and any(t.dbt_task is not None for t in run.tasks or []):
            record = dataclasses.replace(record, dbt=dbt_invocations(client, run))
        records.append(record)
    return records


def to_record(run: Any, job: str, tasks: bool = False) -> RunRecord:
    """A `jobs.BaseRun` (or `jobs.Run`) as a history record."""
    state = run.state
    life = _enum(state.life_cycle_state) if state else ""
    result = _enum(state.result_state) if state else ""
    return RunRecord(
        run_id=int(run.run_id),
        job_id=int(run.job_id or 0),
        job=job,
        state=life,
        result=result,
        start_ms=int(run.start_time or 0),
        seconds=_seconds(run, ended=life in ("TERMINATED", "SKIPPED", "INTERNAL_ERROR")),
        trigger=_enum(run.trigger),
        url=str(run.run_page_url or ""),
        message=str((state.state_message if state else "") or ""),
        tasks=tuple(_task(t) for t in run.tasks or []) if tasks else (),
    )


def _task(task: Any) -> TaskRecord:
    state = task.state
    life = _enum(state.life_cycle_state) if state else ""
    return TaskRecord(
        task_key=str(task.task_key),
        state=life,
        result=_enum(state.result_state) if state else "",
        start_ms=int(task.start_time or 0),
        seconds=_seconds(task, ended=life in ("TERMINATED", "SKIPPED", "INTERNAL_ERROR")),
        attempt=int(task.attempt_number or 0),
    )


def _seconds(run: Any, ended: bool) -> float | None:
    """A multi-task run reports `run_duration`; a single-task one the three phases; else the clock."""
    if not ended:
        return None
    if run.run_duration:
        return float(run.run_duration) / 1000
    phases = (run.setup_duration or 0) + (run.execution_duration or 0) + (run.cleanup_duration or 0)
    if phases:
        return float(phases) / 1000
    if run.start_time and run.end_time:
        return max(0.0, float(run.end_time - run.start_time) / 1000)
    return 0.0


def merge(fetched: Iterable[RunRecord], stored: Iterable[RunRecord]) -> list[RunRecord]:
    """Fetched runs win over stored copies of the same run; newest first."""
    runs = {r.run_id: r for r in stored}
    runs.update({r.run_id: r for r in fetched})
    return sorted(runs.values(), key=lambda r: (r.start_ms, r.run_id), reverse=True)


def _enum(value: Any) -> str:
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _without_tasks(doc: dict[str, Any]) -> dict[str, Any]:
    doc.pop("tasks", None)
    doc.pop("dbt", None)
    return doc
