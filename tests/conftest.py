"""Fixtures shared by the whole suite.

Every test runs with its own HOME and without DATABRICKS_* variables, so nothing reads or writes
the developer's ~/.databrickscfg or reaches a real workspace.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "BUNDLE_VAR_", "ARM_", "AZURE_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRICKYARD_LOCAL_USER", "tester@brickyard.local")
    return home


@pytest.fixture(scope="session")
def sail_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One embedded Spark Connect engine for the whole session (stop sessions before it stops)."""
    from brickyard.local.engine import Engine

    engine = Engine(tmp_path_factory.mktemp("engine"))
    engine.start()
    yield engine
    engine.stop()
