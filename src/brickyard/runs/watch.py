"""`brickyard runs watch`: follow a target's job runs live, one line per change of state.

It polls the Jobs API (`jobs.list_runs` with tasks, the newest few runs of each deployed job), so it
follows the local workspace and a real one alike. Runs that had ended before it started are history
(`brickyard runs`); a run in progress then, or started since, is followed: its life cycle states,
each task's, and its result. With `-o json` each change is one JSON line.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from brickyard.runs.history import RunRecord, TaskRecord, target_jobs, to_record

if TYPE_CHECKING:
    from brickyard.context import AppContext

RECENT = 5
"""How many of each job's newest runs every poll reads."""


@dataclass(frozen=True)
class WatchOptions:
    job: str | None = None
    target: str | None = None
    profile: str | None = None
    interval: float = 2.0
    until_idle: bool = False
    """Stop once none of the runs followed is in progress (at once if none was)."""
    timeout: float | None = None
    """Stop after this many seconds."""


class RunWatch:
    """What has been said of each run and task, so that only changes are said again."""

    def __init__(self, ctx: AppContext) -> None:
        self._output = ctx.output
        self._said: dict[tuple[int, str], tuple[str, str]] = {}
        self.following: set[int] = set()

    def observe(self, run: RunRecord, first_poll: bool) -> None:
        if first_poll and run.finished:
            self._said[(run.run_id, "")] = (run.state, run.result)  # history, not news
            for task in run.tasks:
                self._said[(run.run_id, task.task_key)] = (task.state, task.result)
            return
        if not run.finished:
            self.following.add(run.run_id)
        else:
            self.following.discard(run.run_id)
        for task in sorted(run.tasks, key=lambda t: (t.start_ms, t.task_key)):
            self._say(run, task)
        self._say(run, None)

    def _say(self, run: RunRecord, task: TaskRecord | None) -> None:
        key = (run.run_id, task.task_key if task else "")
        now = (task.state, task.result) if task else (run.state, run.result)
        if self._said.get(key) == now:
            return
        self._said[key] = now
        seconds = task.seconds if task else run.seconds
        doc: dict[str, Any] = {
            "time": int(time.time() * 1000),
            "job": run.job,
            "run_id": run.run_id,
            "task_key": task.task_key if task else None,
            "state": now[0],
            "result": now[1],
            "duration_seconds": seconds,
            "url": run.url,
        }
        what = f"task {task.task_key}" if task else "run"
        took = f" ({seconds:.1f}s)" if seconds is not None else ""
        state = " ".join(part for part in now if part)
        text = f"{time.strftime('%H:%M:%S')} {run.job} run {run.run_id} {what}: {state}{took}"
        if task is None and run.message and run.result and run.result not in ("SUCCESS",):
            text += f": {run.message}"
        self._output.event(doc, text)


def watch_runs(ctx: AppContext, options: WatchOptions) -> int:
    """Follow the runs until stopped (Ctrl-C, `until_idle`, `timeout`); returns how many polls ran."""
    from brickyard.deploy.target import open_target

    target = open_target(ctx, options.target, (), options.profile)
    jobs = sorted(target_jobs(ctx, target, options.job).items())
    watch = RunWatch(ctx)
    deadline = None if options.timeout is None else time.monotonic() + options.timeout
    polls = 0
    if options.until_idle is False and options.timeout is None:
        ctx.output.info(f"Watching the runs of {len(jobs)} job(s) on {target.bundle.target}; Ctrl-C stops.")
    while True:
        for key, job_id in jobs:
            listed = target.client.jobs.list_runs(job_id=job_id, expand_tasks=True, limit=RECENT)
            for index, run in enumerate(listed):
                if index >= RECENT:
                    break
                watch.observe(to_record(run, key, tasks=True), first_poll=polls == 0)
        polls += 1
        if options.until_idle and not watch.following:
            return polls
        if deadline is not None and time.monotonic() >= deadline:
            return polls
        time.sleep(options.interval)
