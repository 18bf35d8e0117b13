"""Streaming writes from file sources, carried out as incremental batches.

The local engine (Sail) has no streaming sink, so `readStream…writeStream…toTable()` / `.start()`
fails there. The common job shape, a file source (plain files or Auto Loader's `cloudFiles`) read
with `trigger(availableNow=True)` or `trigger(once=True)` into a table, a path or a `foreachBatch`
function, means "process
the files not processed yet, then stop", which a batch does: the streaming plan is copied with its
file source turned into a batch read of the new files only, the result is appended, and the
checkpoint location records which files were processed. The returned query has already finished.

Other streams (table sources, continuous triggers, joins of streams) still fail, with a note that
says this is a limit of the local engine.
"""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

from brickyard.filemeta import with_file_metadata
from brickyard.local.tasks import file_metadata

_PROCESSED = "brickyard-processed-files.json"
_BATCHES = "brickyard-batches"
_BATCH_TRIGGERS = ("available_now", "once")


class FinishedQuery:
    """A `StreamingQuery` whose trigger has run: it is no longer active."""

    def __init__(self, name: str | None, files: int) -> None:
        self.name = name
        self.id = str(uuid.uuid4())
        self.runId = str(uuid.uuid4())
        self.isActive = False
        self.lastProgress: dict[str, Any] = {"numInputFiles": files, "name": name}
        self.recentProgress = [self.lastProgress]
        self.status = {"message": "Stopped", "isDataAvailable": False, "isTriggerActive": False}

    def awaitTermination(self, timeout: int | None = None) -> bool | None:
        return True if timeout is not None else None

    def processAllAvailable(self) -> None:
        """Everything available was processed when the query started."""

    def stop(self) -> None:
        """The query has stopped already."""

    def exception(self) -> None:
        return None


def configure(
    writer: Any,
    path: str | None = None,
    tableName: str | None = None,
    format: str | None = None,
    outputMode: str | None = None,
    partitionBy: Any = None,
    queryName: str | None = None,
    **options: Any,
) -> None:
    """Apply `start()` / `toTable()` arguments to the writer, as the client does before sending."""
    writer.options(**options)
    if outputMode is not None:
        writer.outputMode(outputMode)
    if partitionBy is not None:
        writer.partitionBy(partitionBy)
    if format is not None:
        writer.format(format)
    if queryName is not None:
        writer.queryName(queryName)
    if path:
        writer._write_proto.path = path
    if tableName:
        writer._write_proto.table_name = tableName


def as_batches(writer: Any) -> FinishedQuery | None:
    """Run `writer`'s stream as one incremental batch; None when its shape cannot be (see above)."""
    from pyspark.sql.connect.dataframe import DataFrame
    from pyspark.sql.connect.plan import DataSource, LogicalPlan

    proto = writer._write_proto
    if proto.WhichOneof("trigger") not in _BATCH_TRIGGERS:
        return None
    if proto.HasField("foreach_writer"):
        return None  # row by row: no batch equivalent
    chain: list[Any] = []
    node = writer._write_stream._child
    while node is not None and not isinstance(node, DataSource):
        others = [v for k, v in vars(node).items() if k != "_child" and isinstance(v, LogicalPlan)]
        if others:
            return None  # a join or union: more than one input
        chain.append(node)
        node = getattr(node, "_child", None)
    if node is None or not node._is_streaming or not node._paths:
        return None
    source = _batch_source(node)
    checkpoint = proto.options.get("checkpointLocation")
    processed = _processed(checkpoint)
    files = _files(source._paths)
    new = [f for f in files if f not in processed]
    if new:
        source._paths = new
        plan = source
        if file_metadata.wanted():  # each file's `_metadata`, read by the steps above the source
            plan = with_file_metadata(
                new,
                file_metadata.workspace_spelling,
                lambda f: DataFrame(_with_paths(source, [f]), writer._session),
            )._plan
        for step in reversed(chain):
            step = copy.copy(step)
            step._child = plan
            plan = step
        frame = DataFrame(plan, writer._session)
        each_batch = getattr(writer, "_brickyard_foreach_batch", None)
        if each_batch is not None:
            each_batch(frame, len(_batches(checkpoint)))
            _record(checkpoint, sorted(processed | set(new)))
            return FinishedQuery(proto.query_name or None, len(new))
        mode = "overwrite" if proto.output_mode.lower() == "complete" else "append"
        batch = frame.write.format(proto.format or "delta").mode(mode)
        options = {k: v for k, v in proto.options.items() if k != "checkpointLocation"}
        if options:
            batch = batch.options(**options)
        if proto.partitioning_column_names:
            batch = batch.partitionBy(*proto.partitioning_column_names)
        if proto.table_name:
            batch.saveAsTable(proto.table_name)
        elif proto.path:
            batch.save(proto.path)
        else:
            return None
        _record(checkpoint, sorted(processed | set(new)))
    return FinishedQuery(proto.query_name or None, len(new))


def _with_paths(source: Any, paths: list[str]) -> Any:
    one = copy.copy(source)
    one._paths = paths
    return one


def _batch_source(stream: Any) -> Any:
    source = copy.copy(stream)
    source._is_streaming = False
    options = dict(stream._options or {})
    if (stream._format or "").lower() == "cloudfiles":
        lowered = {k.lower(): v for k, v in options.items()}
        source._format = lowered.get("cloudfiles.format")
        options = {k: v for k, v in options.items() if not k.lower().startswith("cloudfiles.")}
        csv = str(source._format).lower() == "csv"
        if csv and "header" not in {k.lower() for k in options}:
            options["header"] = "true"  # Auto Loader assumes CSV files have a header
        if csv and str(lowered.get("cloudfiles.infercolumntypes", "")).lower() == "true":
            options.setdefault("inferSchema", "true")
    source._options = options
    return source


def _files(paths: list[str]) -> list[str]:
    from brickyard.pipelines.filesource import list_files

    return sorted({f for path in paths for f in list_files(Path(path))})


def _processed(checkpoint: str | None) -> set[str]:
    if not checkpoint:
        return set()
    try:
        return set(json.loads((Path(checkpoint) / _PROCESSED).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()


def _record(checkpoint: str | None, files: list[str]) -> None:
    if not checkpoint:
        return
    folder = Path(checkpoint)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / _PROCESSED).write_text(json.dumps(files), encoding="utf-8")
    batches = folder / _BATCHES
    batches.write_text(str(len(_batches(checkpoint)) + 1), encoding="utf-8")


def _batches(checkpoint: str | None) -> list[int]:
    """The ids of the batches run so far (a foreachBatch function gets the next one)."""
    try:
        return list(range(int((Path(checkpoint or "") / _BATCHES).read_text(encoding="utf-8"))))
    except (OSError, ValueError):
        return []


def remember_foreach_batch(writer: Any, function: Any) -> None:
    """The client sends a foreachBatch function to the engine pickled; keep it for local batches."""
    writer._brickyard_foreach_batch = function
