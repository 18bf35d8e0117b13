"""Streaming reads done as batches: each returns only what the reading flow has not processed yet.

Sail has no Structured Streaming sink, so a pipeline "stream" is a batch read of the unseen part of
a source, with the source's new position parked in the flow's `FlowContext` and saved to the
checkpoint only after the flow's write commits:

* files (Auto Loader, `read_files`, file formats): files not in the processed-file list;
* a Delta table at a known path (pipeline datasets, `format("delta").load(path)`): data files that
  commits after the checkpointed version added (see `deltalog`);
* a Delta table known only by name (outside the pipeline): the latest version minus the
  checkpointed one (`EXCEPT ALL`), since Sail shows neither table locations nor history.

A first read (no checkpoint) reads everything, as a Delta or Auto Loader stream does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brickyard.errors import PipelineError
from brickyard.pipelines import deltalog, expectations, filesource
from brickyard.pipelines.checkpoints import Checkpoint
from brickyard.pipelines.graph import Dataset, Flow

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from pyspark.sql import DataFrame, SparkSession

_LATEST_HINT = re.compile(r"replay reached (\d+)")


@dataclass
class FlowContext:
    """One flow's view of its sources while its query runs."""

    flow: Flow
    dataset: Dataset
    incremental: bool
    """Streaming reads return only unseen data (otherwise they read everything)."""
    checkpoint: Checkpoint
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Source positions to record in the checkpoint once the flow's write commits."""
    inputs: list[str] = field(default_factory=list)
    streamed: bool = False
    stream_reads: int = 0
    streams_with_data: int = 0
    quality: expectations.QualityReport = field(default_factory=expectations.QualityReport)
    views: dict[str, DataFrame] = field(default_factory=dict)

    def saw_stream(self, has_data: bool) -> None:
        self.stream_reads += 1
        self.streams_with_data += int(has_data)

    @property
    def nothing_new(self) -> bool:
        """Every stream this flow read was empty: there is nothing to write."""
        return self.incremental and self.stream_reads > 0 and self.streams_with_data == 0


def option(options: dict[str, str], key: str, default: str) -> str:
    """A reader option, looked up case-insensitively as Spark does, lower-cased."""
    for name, value in options.items():
        if name.lower() == key.lower():
            return str(value).lower()
    return default


def files(
    spark: SparkSession,
    source: filesource.FileSource,
    found: list[str],
    source_id: str,
    context: FlowContext,
    shown_as: Callable[[str], str] | None = None,
) -> DataFrame:
    from pyspark.sql.types import StructType

    state = context.checkpoint.sources.get(source_id, {})
    stored = StructType.fromJson(state["schema"]) if state.get("schema") else None
    seen = set(state.get("files", []))
    if not state and option(source.options, "cloudFiles.includeExistingFiles", "true") == "false":
        seen = set(found)
    new = [f for f in found if f not in seen]
    context.saw_stream(bool(new))
    frame, schema = filesource.read_batch(spark, source, new, stored, shown_as)
    context.pending[source_id] = {"files": sorted(seen | set(new)), "schema": schema.jsonValue()}
    return frame


def delta(
    spark: SparkSession, source_id: str, path: Path, context: FlowContext, options: dict[str, str]
) -> DataFrame:
    state = context.checkpoint.sources.get(source_id)
    identity = deltalog.table_id(path)
    latest = deltalog.latest_version(path)
    table = spark.read.format("delta").load(str(path))
    if state is not None and state.get("table_id") != identity:
        raise PipelineError(
            f"'{context.dataset.name}' streams from {path}, which was replaced since the last update; "
            f"fully refresh '{context.dataset.name}'",
            dataset=context.dataset.name,
            file=context.flow.file,
        )
    if state is None:
        frame = spark.read.format("delta").option("versionAsOf", latest).load(str(path))
        context.saw_stream(True)
    else:
        changes = deltalog.changes_since(
            path,
            int(state["version"]),
            skip_change_commits=option(options, "skipChangeCommits", "false") == "true",
            reader=f"'{context.dataset.name}'",
        )
        context.saw_stream(bool(changes.files))
        if changes.files:
            frame = filesource.align(spark.read.format("parquet").load(changes.files), table.schema)
        else:
            frame = table.limit(0)
    context.pending[source_id] = {"version": latest, "table_id": identity}
    return frame


def table(spark: SparkSession, name: str, context: FlowContext) -> DataFrame:
    """A Delta table outside the pipeline, known by name only."""
    latest = latest_version(spark, name)
    source_id = f"table:{name.lower()}"
    state = context.checkpoint.sources.get(source_id)
    current = spark.read.option("versionAsOf", latest).table(name)
    if state is None:
        frame = current
        context.saw_stream(True)
    elif int(state["version"]) >= latest:
        frame = current.limit(0)
        context.saw_stream(False)
    else:
        frame = current.exceptAll(spark.read.option("versionAsOf", int(state["version"])).table(name))
        context.saw_stream(True)
    context.pending[source_id] = {"version": latest}
    return frame


def latest_version(spark: SparkSession, name: str) -> int:
    """The current version of a Delta table known only by name (Sail has no DESCRIBE HISTORY).

    Sail's error for a version past the end says how far the log goes; without that hint, the
    version is found by doubling and bisecting over `versionAsOf` probes.
    """

    def exists(version: int) -> bool:
        try:
            spark.read.option("versionAsOf", version).table(name).schema  # noqa: B018 - forces a lookup
            return True
        except Exception as exc:
            if hint := _LATEST_HINT.search(str(exc)):
                raise _Latest(int(hint.group(1))) from exc
            return False

    try:
        if not exists(0):
            raise PipelineError(
                f"streaming reads need a Delta table, and '{name}' is not one (or does not exist)"
            )
        high = 1
        while exists(high):
            high *= 2
        low = high // 2
        while low + 1 < high:
            middle = (low + high) // 2
            low, high = (middle, high) if exists(middle) else (low, middle)
        return low
    except _Latest as found:
        return found.version


class _Latest(Exception):
    def __init__(self, version: int) -> None:
        self.version = version
