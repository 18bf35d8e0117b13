"""The template environment: autoescaped HTML from `templates/`, and the filters the pages share."""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).parent / "templates"

GOOD = {"SUCCESS", "COMPLETED", "SUCCEEDED", "PASS"}
BAD = {
    "FAILED",
    "INTERNAL_ERROR",
    "TIMEDOUT",
    "TIMED_OUT",
    "UPSTREAM_FAILED",
    "MAXIMUM_CONCURRENT_RUNS_REACHED",
    "SUCCESS_WITH_FAILURES",
    "FAIL",
    "ERROR",
    "RUNTIME ERROR",
}
IDLE = {
    "CANCELED",
    "CANCELLED",
    "SKIPPED",
    "SKIP",
    "EXCLUDED",
    "UPSTREAM_CANCELED",
    "DISABLED",
    "TERMINATED",
    "STOPPED",
    "DELETED",
}


@functools.cache
def environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, select_autoescape  # at the first page, not at start

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(duration=duration, when=when, tone=tone, count=count)
    env.globals.update(run_state=run_state)
    return env


def page(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def run_state(doc: dict[str, Any]) -> str:
    """What a run or task shows: its result once it has one, else where it is in its life cycle."""
    state = doc.get("state") or {}
    return str(state.get("result_state") or state.get("life_cycle_state") or "UNKNOWN")


def tone(state: str | None) -> str:
    """The badge colour of a state: good, bad, idle or live."""
    if state in GOOD:
        return "good"
    if state in BAD:
        return "bad"
    if state in IDLE:
        return "idle"
    return "live"


def duration(ms: float | int | None) -> str:
    if ms is None:
        return "–"
    seconds = ms / 1000
    if seconds < 10:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def when(ms: float | int | None) -> str:
    if not ms:
        return "–"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000))


def count(n: float | int | None) -> str:
    return "–" if n is None else f"{int(n):,}"
