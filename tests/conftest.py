"""Fixtures shared by the whole suite.

Every test runs with its own HOME and without DATABRICKS_* variables, so nothing reads or writes
the developer's ~/.databrickscfg or reaches a real workspace.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# The shared local workspace and its bundle fixtures, one server for every folder that uses them.
pytest_plugins = ["tests.workspace_fixtures"]

# uv's cache lives under HOME; tests move HOME, but builds (wheels of test projects) must still
# find the build backends `make install` cached, because tests never download anything.
UV_CACHE = os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "BUNDLE_VAR_", "ARM_", "AZURE_", "BRICKYARD_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRICKYARD_LOCAL_USER", "tester@brickyard.local")
    monkeypatch.setenv("UV_CACHE_DIR", UV_CACHE)
    monkeypatch.setenv("UV_OFFLINE", "1")
    return home


@pytest.fixture(scope="session")
def sail_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One embedded Spark Connect engine for the whole session (stop sessions before it stops)."""
    from brickyard.local.engine import Engine

    engine = Engine(tmp_path_factory.mktemp("engine"))
    engine.start()
    yield engine
    engine.stop()
