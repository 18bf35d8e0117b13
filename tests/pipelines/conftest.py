"""Fixtures for pipeline tests: a Spark Connect session on the shared engine, and pipeline projects.

Each `project` gets its own source directory, storage directory and schema (`main.<unique>`), so
tests share one engine without seeing each other's tables or checkpoints.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from brickyard.pipelines import Library, ListSink, PipelineSpec, UpdateOptions, UpdateResult, run_update

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_schemas = itertools.count(1)


@pytest.fixture(scope="session")
def spark(sail_engine: Any) -> Iterator[SparkSession]:
    """A session of its own (not the process default), stopped before the engine stops."""
    from pyspark.sql import SparkSession

    from brickyard.local.engine import session_conf

    builder = SparkSession.builder.remote(sail_engine.url)
    for key, value in session_conf(sail_engine.warehouse).items():
        builder = builder.config(key, value)
    session = builder.create()
    yield session
    session.stop()


@dataclass
class Update:
    result: UpdateResult
    sink: ListSink

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.sink.events

    def flow_events(self, flow: str, status: str | None = None) -> list[dict[str, Any]]:
        return [
            e
            for e in self.sink.of_type("flow_progress")
            if e["origin"].get("flow_name") == flow
            and (status is None or e["details"]["flow_progress"]["status"] == status)
        ]

    def completed(self, flow: str) -> dict[str, Any]:
        """The `flow_progress` details of the flow's COMPLETED event."""
        (event,) = self.flow_events(flow, "COMPLETED")
        return event["details"]["flow_progress"]  # type: ignore[no-any-return]

    def rows_out(self, flow: str) -> int:
        return int(self.completed(flow)["metrics"]["num_output_rows"])


@dataclass
class Project:
    root: Path
    spark: SparkSession
    schema: str
    configuration: dict[str, str] = field(default_factory=dict)
    libraries: list[Library] = field(default_factory=list)

    @property
    def storage(self) -> Path:
        return self.root / "storage"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def source(self, relative: str, text: str, kind: str = "file") -> Path:
        path = self.root / "src" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        self.libraries.append(Library(kind, str(path)))  # type: ignore[arg-type]
        return path

    def data_file(self, relative: str, text: str) -> Path:
        path = self.data / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def spec(self, **overrides: Any) -> PipelineSpec:
        values: dict[str, Any] = {
            "name": self.schema,
            "id": f"pipeline-{self.schema}",
            "libraries": tuple(self.libraries),
            "storage": str(self.storage),
            "catalog": "main",
            "schema": self.schema,
            "configuration": {"data": str(self.data), **self.configuration},
        }
        values.update(overrides)
        return PipelineSpec(**values)

    def update(self, **options: Any) -> Update:
        sink = ListSink()
        result = run_update(self.spark, self.spec(), UpdateOptions(**options), sink)
        return Update(result, sink)

    def ok(self, **options: Any) -> Update:
        """An update that must complete."""
        update = self.update(**options)
        assert update.result.state == "COMPLETED", update.result.error
        return update

    def rows(self, table: str, order_by: str = "1") -> list[dict[str, Any]]:
        frame = self.spark.sql(f"SELECT * FROM main.{self.schema}.{table} ORDER BY {order_by}")
        return [row.asDict() for row in frame.collect()]

    def count(self, table: str) -> int:
        return int(self.spark.sql(f"SELECT count(*) AS n FROM main.{self.schema}.{table}").collect()[0]["n"])


@pytest.fixture
def project(tmp_path: Path, spark: SparkSession, request: pytest.FixtureRequest) -> Project:
    name = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:40]
    return Project(tmp_path / "project", spark, f"p{next(_schemas)}_{name}")
