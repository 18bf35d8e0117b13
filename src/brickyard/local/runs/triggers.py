"""Runs nobody asked for by hand: job schedules, periodic and file-arrival triggers, continuous jobs.

One thread looks at every job with a schedule or trigger a few times a second. A job's `schedule` (a Quartz cron expression
in its `timezone_id`) and `trigger.periodic` (every N minutes, hours, days or weeks) start a run
when their next time comes, with `trigger: PERIODIC`; `trigger.file_arrival` starts one when a file
appears or changes under its `url` (a volume path, or a workspace path), with `trigger:
FILE_ARRIVAL`; a `continuous` job gets a new run (`trigger: CONTINUOUS`) whenever it has none
active. Anything with `pause_status: PAUSED` does nothing. A job's next time is computed when the
thread first sees its current settings, so editing a schedule starts it afresh; times missed while
the server was down are not caught up, as on a workspace after a pause.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from brickyard.local.apierror import ApiError
from brickyard.local.store.db import Database
from brickyard.local.store.jobs import JobRecord, JobStore
from brickyard.local.store.runs import RunStore

log = logging.getLogger("brickyard.local")
TICK = 0.2
_UNIT_SECONDS = {"MINUTES": 60, "HOURS": 3600, "DAYS": 86400, "WEEKS": 7 * 86400}

StartRun = Callable[[dict[str, Any], str], Any]
"""Starts a run of a job: `Orchestrator.run_now(body, trigger)`."""
PathOf = Callable[[str], Path]
"""The local directory a file-arrival `url` names."""


class QuartzError(ValueError):
    pass


def to_croniter(expression: str) -> str:
    """A Quartz expression (seconds minutes hours day-of-month month day-of-week [year]) as the
    six fields croniter reads (minutes … day-of-week, then seconds). `?` means "any"; Quartz counts
    days of the week 1-7 from Sunday where cron counts 0-6, so numbers move down by one."""
    fields = expression.split()
    if len(fields) not in (6, 7):
        raise QuartzError(f"{expression!r} is not a Quartz cron expression (6 or 7 fields)")
    seconds, minutes, hours, dom, month, dow = (f.replace("?", "*") for f in fields[:6])
    dow = re.sub(r"(?<![/#\d])\d+", lambda m: str(int(m.group()) - 1), dow)
    return " ".join((minutes, hours, dom, month, dow, seconds))


def next_cron_time(expression: str, timezone: str, after: float) -> float:
    from croniter import croniter  # type: ignore[import-untyped]

    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise QuartzError(f"unknown timezone_id {timezone!r}") from None
    try:
        cron = croniter(to_croniter(expression), datetime.fromtimestamp(after, zone))
        return float(cron.get_next(float))
    except (ValueError, KeyError) as err:
        raise QuartzError(f"{expression!r}: {err}") from None


@dataclass
class _Watch:
    """What the thread remembers of one job, for as long as its settings stay the same."""

    signature: str
    next_time: float | None = None
    files: dict[str, float] = field(default_factory=dict)
    changed_at: float | None = None
    last_fired: float = 0.0


class Triggers:
    def __init__(
        self, jobs: JobStore, runs: RunStore, start_run: StartRun, path_of: PathOf, db: Database
    ) -> None:
        self.jobs = jobs
        self.runs = runs
        self.start_run = start_run
        self.path_of = path_of
        self.db = db
        self._watches: dict[int, _Watch] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="triggers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def _loop(self) -> None:
        try:
            while not self._stop.wait(TICK):
                try:
                    self.tick(time.time())
                except Exception:  # one bad job must not stop every schedule
                    log.exception("the trigger thread failed a tick")
        finally:
            self.db.release_thread()

    def tick(self, now: float) -> None:
        seen = set()
        for job in self.jobs.triggered():
            seen.add(job.job_id)
            self._check(job, now)
        for job_id in set(self._watches) - seen:
            del self._watches[job_id]

    def _check(self, job: JobRecord, now: float) -> None:
        settings = job.settings
        wanted = {k: settings.get(k) for k in ("schedule", "trigger", "continuous")}
        signature = json.dumps(wanted, sort_keys=True)
        watch = self._watches.get(job.job_id)
        if watch is None or watch.signature != signature:
            watch = self._watches[job.job_id] = _Watch(signature)
        schedule, trigger, continuous = (settings.get(k) or {} for k in ("schedule", "trigger", "continuous"))
        if schedule and _unpaused(schedule):
            self._timed(
                job,
                watch,
                now,
                lambda after: next_cron_time(
                    str(schedule.get("quartz_cron_expression", "")),
                    str(schedule.get("timezone_id") or "UTC"),
                    after,
                ),
            )
        if trigger and _unpaused(trigger):
            if periodic := trigger.get("periodic"):
                every = int(periodic.get("interval") or 1) * _UNIT_SECONDS.get(
                    str(periodic.get("unit")), 3600
                )
                self._timed(job, watch, now, lambda after: after + every)
            if arrival := trigger.get("file_arrival"):
                self._file_arrival(job, watch, now, arrival)
        if continuous and _unpaused(continuous) and not self.runs.active_job_runs(job.job_id):
            self._fire(job, "CONTINUOUS")

    def _timed(self, job: JobRecord, watch: _Watch, now: float, following: Callable[[float], float]) -> None:
        try:
            if watch.next_time is None:
                watch.next_time = following(now)
            if now >= watch.next_time:
                watch.next_time = following(now)
                self._fire(job, "PERIODIC")
        except QuartzError as err:
            if watch.next_time is None:
                watch.next_time = float("inf")
                log.warning("job %s: its schedule is not usable: %s", job.job_id, err)

    def _file_arrival(self, job: JobRecord, watch: _Watch, now: float, arrival: dict[str, Any]) -> None:
        try:
            root = self.path_of(str(arrival.get("url") or ""))
        except ApiError:
            return
        files = _files(root)
        first_look = not watch.files and watch.changed_at is None and watch.last_fired == 0.0
        if first_look:
            watch.files, watch.last_fired = files, -1.0  # what was there before is no arrival
            return
        if files != watch.files and any(watch.files.get(k) != v for k, v in files.items()):
            watch.changed_at = now
        watch.files = files
        quiet = float(arrival.get("wait_after_last_change_seconds") or 0)
        spacing = float(arrival.get("min_time_between_triggers_seconds") or 0)
        if (
            watch.changed_at is not None
            and now - watch.changed_at >= quiet
            and now - watch.last_fired >= spacing
        ):
            watch.changed_at = None
            watch.last_fired = now
            self._fire(job, "FILE_ARRIVAL")

    def _fire(self, job: JobRecord, trigger: str) -> None:
        try:
            self.start_run({"job_id": job.job_id}, trigger)
        except ApiError as err:
            log.warning("job %s: could not start its %s run: %s", job.job_id, trigger, err.message)


def _unpaused(config: dict[str, Any]) -> bool:
    return str(config.get("pause_status") or "UNPAUSED") != "PAUSED"


def _files(root: Path) -> dict[str, float]:
    if root.is_file():
        return {str(root): root.stat().st_mtime}
    if not root.is_dir():
        return {}
    return {str(p): p.stat().st_mtime for p in root.rglob("*") if p.is_file()}
