"""The pytest plugin brickyard ships (entry point `pytest11`), so projects need no conftest copies.

Fixtures:
- `spark`: a Spark Connect session on a private local engine (Sail), one per test session, with an
  absolute warehouse folder and Delta as the default format;
- `table_from(path)`: a DataFrame from a small JSON (array or lines) or CSV fixture, relative to the
  project root;
- `dbutils`: the local dbutils (widgets you set, secrets of the project's local workspace, fs);
- `workspace`: a databricks-sdk client for the target `brickyard test -t` names (the local
  workspace by default).

Markers `unit`, `integration` and `smoke` name the layers. Under `brickyard test`, a test without a
layer marker takes its layer from its folder (`tests/integration/…`, `tests/smoke/…`) and is a unit
test otherwise, so plain pytest projects work unchanged. Everything heavy is imported inside the
fixtures: loading the plugin costs pytest nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from brickyard.testing import LAYER_OPTION, TARGET_ENV

LAYERS = ("unit", "integration", "smoke")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        LAYER_OPTION, choices=LAYERS, default=None, help="Run one test layer (brickyard test sets it)."
    )


def pytest_configure(config: pytest.Config) -> None:
    for layer, text in (
        ("unit", "pure Python, no Spark and no workspace"),
        ("integration", "Spark-backed, on the local engine and small fixtures"),
        ("smoke", "against a deployed target"),
    ):
        config.addinivalue_line("markers", f"{layer}: {text}")


def layer_of(item: pytest.Item) -> str:
    for layer in LAYERS:
        if item.get_closest_marker(layer) is not None:
            return layer
    parts = Path(str(item.fspath)).parts
    for layer in ("integration", "smoke"):
        if layer in parts:
            return layer
    return "unit"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = config.getoption(LAYER_OPTION)
    if wanted is None:
        return
    selected: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        (selected if layer_of(item) == wanted else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def _project_root(config: pytest.Config) -> Path:
    from brickyard.local.home import find_project_root

    return find_project_root(Path(str(config.rootpath)))


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Spark session on a private local engine, for Spark-backed (integration) tests."""
    from brickyard.local.engine import Engine, connect

    home = tmp_path_factory.mktemp("brickyard-engine")
    engine = Engine(home)
    session = connect(engine.start(), home / "warehouse")
    try:
        yield session
    finally:
        session.stop()
        engine.stop()


@pytest.fixture
def table_from(spark: Any, request: pytest.FixtureRequest) -> Callable[[str], Any]:
    """`table_from("tests/data/orders.json")`: a DataFrame of a JSON or CSV fixture."""
    root = _project_root(request.config)

    def read(path: str) -> Any:
        import json

        import pandas as pd

        file = Path(path) if Path(path).is_absolute() else root / path
        if not file.is_file():
            raise FileNotFoundError(f"no fixture file {file}")
        if file.suffix == ".csv":
            frame = pd.read_csv(file)
        elif file.suffix in (".json", ".jsonl", ".ndjson"):
            text = file.read_text(encoding="utf-8").strip()
            rows = (
                json.loads(text) if text.startswith("[") else [json.loads(x) for x in text.splitlines() if x]
            )
            frame = pd.DataFrame(rows)
        else:
            raise ValueError(f"{file}: table_from reads .json, .jsonl and .csv fixtures")
        return spark.createDataFrame(frame)

    return read


@pytest.fixture
def dbutils(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """The local dbutils: `dbutils.widgets` you fill in the test, secrets of the local workspace, fs."""
    from brickyard.local.dbutils import (
        DBUtils,
        FileSystem,
        Jobs,
        Library,
        NotebookUtils,
        Secrets,
        TaskValues,
        Widgets,
    )
    from brickyard.local.home import LocalHome
    from brickyard.local.lifecycle import project_root
    from brickyard.local.store.db import Database
    from brickyard.local.tasks.redact import Redactor

    home = LocalHome.for_project(project_root(_project_root(request.config)))
    metadata = home.metadata_db
    if not metadata.exists():
        metadata = tmp_path / "metadata.db"
        Database(metadata)

    def run_notebook(path: str, timeout: int, arguments: dict[str, str]) -> str:
        raise RuntimeError("dbutils.notebook.run needs a job run; test the notebook with `brickyard run`")

    return DBUtils(
        widgets=Widgets({}),
        secrets=Secrets(metadata, Redactor()),
        fs=FileSystem(tmp_path / "storage"),
        notebook=NotebookUtils(run_notebook),  # type: ignore[arg-type]
        jobs=Jobs(TaskValues("test", {}, {})),
        library=Library(),
    )


@pytest.fixture(scope="session")
def workspace(request: pytest.FixtureRequest) -> Any:
    """A databricks-sdk client for the target under test (`brickyard test -t T`, default the local one)."""
    from brickyard.context import AppContext
    from brickyard.deploy.target import open_target
    from brickyard.output import make_output

    ctx = AppContext(output=make_output("text"), cwd=_project_root(request.config))
    return open_target(ctx, os.environ.get(TARGET_ENV) or None).client
