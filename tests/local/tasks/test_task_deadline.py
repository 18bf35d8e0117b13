"""Nested time limits raised in the main thread."""

from __future__ import annotations

import contextlib
import time

import pytest

from brickyard.local.tasks.deadline import Deadlines, TaskTimedOut


class Inner(BaseException):
    pass


def test_an_inner_limit_fires_and_the_outer_one_keeps_running() -> None:
    deadlines = Deadlines()

    with deadlines.limit(5, TaskTimedOut):
        with pytest.raises(Inner), deadlines.limit(0.1, Inner):
            time.sleep(2)
        time.sleep(0.2)  # the inner limit is gone: nothing fires here


def test_the_outer_limit_wins_over_a_longer_inner_one() -> None:
    deadlines = Deadlines()

    started = time.monotonic()
    with pytest.raises(TaskTimedOut), deadlines.limit(0.2, TaskTimedOut), deadlines.limit(10, Inner):
        time.sleep(5)
    assert time.monotonic() - started < 2


def test_timeouts_are_not_caught_by_except_exception() -> None:
    deadlines = Deadlines()

    def swallow() -> None:
        with contextlib.suppress(Exception):  # what careless user code does
            time.sleep(5)

    with pytest.raises(TaskTimedOut), deadlines.limit(0.1, TaskTimedOut):
        swallow()


def test_zero_means_no_limit() -> None:
    with Deadlines().limit(0, TaskTimedOut):
        time.sleep(0.05)
