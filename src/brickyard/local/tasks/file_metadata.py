"""The `_metadata` column of file reads in tasks, for code that reads it.

On Databricks every file source has a hidden `_metadata` column (the file each row came from:
`file_path`, `file_name`, `file_size`, `file_modification_time`, …), and bronze ingestion keeps it
(`withColumn("source_file", col("_metadata.file_path"))`). The local engine has no such column.
For a task whose code names `_metadata` (or `input_file_name()`, its `file_path`), file reads give
each row the column, one file at a time (`brickyard.filemeta`), and writes
leave the column itself out, as the hidden column is on Databricks. Other tasks read as before.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from brickyard.errors import TaskError
from brickyard.filemeta import (
    code_reads_metadata,
    input_file_name_reads_metadata,
    shown_path,
    with_file_metadata,
    without_file_metadata,
)
from brickyard.local.tasks.context import TaskContext
from brickyard.local.tasks.spark_paths import translate_path

_FILE_FORMATS = frozenset({"csv", "json", "parquet", "text", "orc", "avro", "xml", "binaryfile"})
_state: dict[str, Any] = {"on": False, "locations": None}


def reads_file_metadata(ctx: TaskContext) -> bool:
    """Whether the task's code (its notebook or Python file, or code deployed with it) names the column."""
    settings = ctx.settings
    path = (settings.get("notebook_task") or {}).get("notebook_path") or (
        settings.get("spark_python_task") or {}
    ).get("python_file")
    if not path:
        return False
    try:
        local = ctx.locations.any(str(path))
    except TaskError:  # a path the runner refuses itself, with its own words
        return False
    for candidate in (local, *(local.with_name(local.name + s) for s in (".py", ".ipynb", ".sql"))):
        if candidate.is_file():
            return code_reads_metadata([candidate])
    return False


def install_file_metadata(ctx: TaskContext, on: bool) -> None:
    """Give this task's file reads the column when `on` (patched once per process, switched per task)."""
    from pyspark.sql.connect import dataframe, readwriter

    _state.update(on=on, locations=ctx.locations)
    if on:
        input_file_name_reads_metadata()
    load = readwriter.DataFrameReader.load
    if getattr(load, "__brickyard_metadata__", False):
        return

    @functools.wraps(load)
    def load_with_metadata(
        self: Any, path: Any = None, format: Any = None, schema: Any = None, **options: Any
    ) -> Any:
        fmt = str(format or self._format or "parquet").lower()
        if (
            not _state["on"]
            or fmt not in _FILE_FORMATS
            or not isinstance(path, str | list | tuple)
            or not path
        ):
            return load(self, path, format, schema, **options)
        files = _files(path)
        if not files:
            return load(self, path if isinstance(path, str) else list(path), format, schema, **options)
        return with_file_metadata(
            [local for local, _ in files],
            dict(files).__getitem__,
            lambda local: load(self, local, format, schema, **options),
        )

    load_with_metadata.__brickyard_metadata__ = True  # type: ignore[attr-defined]
    readwriter.DataFrameReader.load = load_with_metadata  # type: ignore[method-assign]

    write = dataframe.DataFrame.write

    def write_without_metadata(self: Any) -> Any:
        frame = self
        if _state["on"]:
            try:
                frame = without_file_metadata(self)
            except Exception:  # a frame the engine cannot describe yet: written as it is
                frame = self
        return write.fget(frame)  # type: ignore[attr-defined]

    dataframe.DataFrame.write = property(write_without_metadata)  # type: ignore[method-assign, assignment]


def wanted() -> bool:
    """Whether this task's file reads carry the column (its code names it)."""
    return bool(_state["on"])


def workspace_spelling(local: str) -> str:
    """A local file of the workspace's storage as tasks name it (`/Volumes/…`, `dbfs:/…`,
    `/Workspace/…`); any other file as a `file:` path."""
    locations = _state["locations"]
    if locations is not None:
        for base, spelled in (
            (locations.storage_root / "volumes", "/Volumes"),
            (locations.storage_root / "dbfs", "dbfs:"),
            (locations.workspace_root, "/Workspace"),
        ):
            try:
                return f"{spelled}/{Path(local).relative_to(base.resolve()).as_posix()}"
            except ValueError:
                continue
    return "file:" + local


def _files(path: Any) -> list[tuple[str, str]]:
    """(local file, the file as the workspace names it) of every file under the read's paths."""
    from brickyard.pipelines.filesource import list_files

    found: list[tuple[str, str]] = []
    for spelled in [path] if isinstance(path, str) else list(path):
        root = Path(translate_path(_state["locations"], str(spelled)))
        found.extend((local, shown_path(str(spelled), root, local)) for local in list_files(root))
    return found
