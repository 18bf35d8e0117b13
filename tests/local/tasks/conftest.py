"""Fixtures for the task worker tests: a fresh local workspace wired to the session's engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.local.tasks.task_harness import TaskWorkspace


@pytest.fixture
def workspace(tmp_path: Path, sail_engine: object) -> TaskWorkspace:
    url = sail_engine.url  # type: ignore[attr-defined]
    warehouse = sail_engine.warehouse  # type: ignore[attr-defined]
    return TaskWorkspace(tmp_path, spark_remote=url, warehouse=warehouse)


@pytest.fixture
def offline_workspace(tmp_path: Path) -> TaskWorkspace:
    """A workspace whose engine is not running: for tasks refused before a session opens."""
    return TaskWorkspace(tmp_path, spark_remote="sc://127.0.0.1:9", warehouse=tmp_path / "warehouse")
