"""`brickyard runs`: the run history of a target's jobs, with a trend per job; `runs sync` keeps it.

Runs are read from the target's workspace and merged with the ones `runs sync` stored in the
project (`runs.history_store`), so the history reaches back further than the workspace keeps it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brickyard.errors import UsageError
from brickyard.runs.history import (
    History,
    RunRecord,
    TrendRule,
    fetch_runs,
    merge,
    target_jobs,
    target_pipelines,
    trend,
)
from brickyard.runs.history_store import HistoryStore
from brickyard.runs.pipeline import UpdateOutcome
from brickyard.runs.update_history import recent_updates

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
    pipelines: bool = True
    """Pipelines' updates too (`alerts` asks for job runs only)."""


def collect_history(ctx: AppContext, target: Target, options: RunsOptions) -> History:
    """The newest `limit` runs of each job asked for (workspace and stored), and their trends."""
    if options.limit < 1:
        raise UsageError(f"--limit must be at least 1, got {options.limit}")
    store = HistoryStore(target.bundle.root)
    name = target.bundle.target
    history = History(name)
    pipelines = target_pipelines(ctx, target, options.job)
    jobs = target_jobs(ctx, target, options.job) if not pipelines or options.job is None else {}
    for key, job_id in sorted(jobs.items()):
        fetched = fetch_runs(target.client, job_id, key, options.limit, options.tasks)
        runs = merge(fetched, store.runs(name, key, options.limit))[: options.limit]
        history.runs.extend(runs)
        history.trends.append(trend(key, runs, options.rule))
    history.runs.sort(key=lambda r: (r.start_ms, r.run_id), reverse=True)
    if options.pipelines:
        for key, pipeline_id in sorted(pipelines.items()):
            fetched_updates = recent_updates(target.client, pipeline_id, options.limit)
            stored = store.updates(name, key, options.limit)
            history.updates[key] = _merge_updates(fetched_updates, stored)[: options.limit]
    return history


def _merge_updates(fetched: list[UpdateOutcome], stored: list[UpdateOutcome]) -> list[UpdateOutcome]:
    updates = {u.update_id: u for u in stored}
    updates.update({u.update_id: u for u in fetched})
    return sorted(updates.values(), key=lambda u: (u.start_ms, u.update_id), reverse=True)


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
    name = target.bundle.target
    pipelines = target_pipelines(ctx, target, options.job)
    jobs = target_jobs(ctx, target, options.job) if not pipelines or options.job is None else {}
    runs: list[RunRecord] = []
    for key, job_id in sorted(jobs.items()):
        runs.extend(fetch_runs(target.client, job_id, key, options.limit, tasks=True))
    added = store.save(name, runs)
    updates = new_updates = 0
    for key, pipeline_id in sorted(pipelines.items()):
        read = recent_updates(target.client, pipeline_id, options.limit)
        updates += len(read)
        new_updates += store.save_updates(name, key, read)
    invocations = sum(len(r.dbt) for r in runs)
    doc = {
        "target": name,
        "runs": len(runs),
        "new": added,
        "dbt_invocations": invocations,
        "pipeline_updates": updates,
        "new_pipeline_updates": new_updates,
        "file": str(store.path),
    }
    text = (
        f"{len(runs)} run(s) read, {added} new ({invocations} dbt invocation(s)); "
        f"{updates} pipeline update(s) read, {new_updates} new; kept in {store.path}"
    )
    ctx.output.result(doc, text)
    return added


def _render(console: Any, history: History, options: RunsOptions) -> None:
    from rich.table import Table
    from rich.text import Text

    if not history.trends and not history.updates:
        console.print(f"No deployed jobs or pipelines on target {history.target}.")
        return
    _render_updates(console, history)
    if not history.trends:
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
        for dbt in run.dbt if options.tasks else ():
            failed = ", ".join(f"{n.unique_id} {n.status}" for n in dbt.failed)
            runs.add_row("", f"  {dbt.task_key}: {dbt.summary()}", failed, "", "", "")
    console.print(runs)


def _render_updates(console: Any, history: History) -> None:
    from rich.table import Table

    for key, updates in sorted(history.updates.items()):
        table = Table(title=f"Pipeline {key}: updates, newest first", title_justify="left")
        for column in ("update", "state", "started", "dataset", "rows", "expectations (passed/failed)"):
            table.add_column(column)
        for update in updates:
            head = [update.update_id, update.state, _when(update.start_ms)]
            if not update.flows:
                table.add_row(*head, "-", "-", "")
            for flow in update.flows:
                checks = " ".join(f"{e.name} {e.passed}/{e.failed}" for e in flow.expectations)
                rows = "-" if flow.rows is None else str(flow.rows)
                table.add_row(*head, flow.dataset, rows, checks)
                head = ["", "", ""]
        if not updates:
            table.add_row("-", "no updates yet", "", "", "", "")
        console.print(table)


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
