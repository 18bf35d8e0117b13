"""`brickyard runs`: the run history of a target's jobs, with a trend per job; `runs sync` keeps it.

Runs are read from the target's workspace and merged with the ones `runs sync` stored in the
project (`runs.history_store`), so the history reaches back further than the workspace keeps it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brickyard.errors import UsageError
from brickyard.runs.history import History, RunRecord, TrendRule, fetch_runs, merge, target_jobs, trend
from brickyard.runs.history_store import HistoryStore

if TYPE_CHECKING:
    from brickyard.context import AppContext
    from brickyard.deploy.target import Target


@dataclass(frozen=True)
class RunsOptions:
    job: str | None = None
    target: str | None = None
    profile: str | None = None
    limit: int = 20
    tasks: bool = False
    rule: TrendRule = field(default_factory=TrendRule)


def collect_history(ctx: AppContext, target: Target, options: RunsOptions) -> History:
    """The newest `limit` runs of each job asked for (workspace and stored), and their trends."""
    if options.limit < 1:
        raise UsageError(f"--limit must be at least 1, got {options.limit}")
    store = HistoryStore(target.bundle.root)
    name = target.bundle.target
    history = History(name)
    for key, job_id in sorted(target_jobs(ctx, target, options.job).items()):
        fetched = fetch_runs(target.client, job_id, key, options.limit, options.tasks)
        runs = merge(fetched, store.runs(name, key, options.limit))[: options.limit]
        history.runs.extend(runs)
        history.trends.append(trend(key, runs, options.rule))
    history.runs.sort(key=lambda r: (r.start_ms, r.run_id), reverse=True)
    return history


def show_runs(ctx: AppContext, options: RunsOptions) -> History:
    from brickyard.deploy.target import open_target

    target = open_target(ctx, options.target, (), options.profile)
    history = collect_history(ctx, target, options)
    ctx.output.result(history.as_json(options.tasks), lambda console: _render(console, history, options))
    return history


def sync_runs(ctx: AppContext, options: RunsOptions) -> int:
    """Store the workspace's runs of the target's jobs in the project; returns how many were new."""
    from brickyard.deploy.target import open_target

    target = open_target(ctx, options.target, (), options.profile)
    store = HistoryStore(target.bundle.root)
    runs: list[RunRecord] = []
    for key, job_id in sorted(target_jobs(ctx, target, options.job).items()):
        runs.extend(fetch_runs(target.client, job_id, key, options.limit, tasks=True))
    added = store.save(target.bundle.target, runs)
    doc = {"target": target.bundle.target, "runs": len(runs), "new": added, "file": str(store.path)}
    ctx.output.result(doc, f"{len(runs)} run(s) read, {added} new, kept in {store.path}")
    return added


def _render(console: Any, history: History, options: RunsOptions) -> None:
    from rich.table import Table
    from rich.text import Text

    if not history.trends:
        console.print(f"No deployed jobs on target {history.target}.")
        return
    summary = Table(title=f"Jobs on {history.target}", title_justify="left")
    for column in ("job", "runs", "success", "median", f"last {options.rule.window}", ""):
        summary.add_column(column)
    for t in history.trends:
        rate = "-" if t.success_rate is None else f"{t.success_rate:.0%}"
        last = " ".join(_duration(s) for s in t.last_seconds)
        flag = Text("slower", style="red") if t.regression else Text("")
        summary.add_row(t.job, str(t.runs), rate, _duration(t.median_seconds), last, flag)
    console.print(summary)
    if not history.runs:
        console.print("No runs yet.")
        return
    runs = Table(title="Runs, newest first", title_justify="left")
    for column in ("run", "job", "state", "started", "duration", "trigger"):
        runs.add_column(column)
    for run in history.runs:
        runs.add_row(
            str(run.run_id),
            run.job,
            Text(run.result or run.state, style=_colour(run)),
            _when(run.start_ms),
            _duration(run.seconds),
            run.trigger,
        )
        for task in run.tasks if options.tasks else ():
            runs.add_row(
                "",
                f"  {task.task_key}",
                Text(task.result or task.state, style="green" if task.result == "SUCCESS" else "red"),
                _when(task.start_ms),
                _duration(task.seconds),
                f"attempt {task.attempt}" if task.attempt else "",
            )
    console.print(runs)


def _colour(run: RunRecord) -> str:
    if not run.result:
        return "yellow"
    return "green" if run.succeeded else "red"


def _when(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000)) if ms else "-"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"
