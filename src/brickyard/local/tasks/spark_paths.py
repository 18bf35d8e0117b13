"""Spark reads and writes of Databricks paths reach local storage, and missing inputs fail.

On Databricks, `dbfs:/…`, `/Volumes/…` and `/Workspace/…` are mounted everywhere and a bare
absolute path (`/databricks-datasets/x`, `/FileStore/x`, `/tmp/x`) means `dbfs:/…`. Here those
name folders under the local workspace home that the engine knows nothing about. Every file path a
DataFrame reader or writer sends goes through `load`, `save` or a `path`/`checkpointLocation`
option of the Spark Connect client, so translating there covers `spark.read.csv(…)`,
`df.write.parquet(…)`, `format().load()` and streaming alike.

A bare path stays a path on this machine when its first folder exists here (`/tmp/x`, a test's
`/home/…`), so local files keep working; `file:/x` always does. `/databricks-datasets` is generated
on first use (`local.samples`). A batch read of a path that does not exist fails with Spark's
PATH_NOT_FOUND instead of the empty DataFrame the engine would return. Paths inside SQL text are
not rewritten: that would mean parsing the user's SQL.
"""

from __future__ import annotations

import functools
import glob
import os
from collections.abc import Callable
from typing import Any

from brickyard.local.tasks.paths import Locations, is_storage_path

_PATH_OPTIONS = frozenset({"path", "checkpointlocation"})
_DATASETS = "/databricks-datasets"
_GLOB_CHARS = frozenset("*?[{")


def dbfs_spelling(path: str) -> str | None:
    """`dbfs:/…` for a bare absolute path that means DBFS on Databricks; None for other paths."""
    if not path.startswith("/") or path.startswith(("/Workspace/", "/Volumes/", "/dbfs/")):
        return None
    first = path.lstrip("/").split("/", 1)[0]
    if not first or os.path.exists("/" + first):
        return None
    return "dbfs:/" + path.lstrip("/")


def translate_path(locations: Locations, value: str) -> str:
    """The local file a reader or writer should use for `value` (unchanged when it is not ours)."""
    if value.startswith("file:"):
        return "/" + value[len("file:") :].lstrip("/")
    spelled = dbfs_spelling(value) or value
    if is_storage_path(spelled):
        local = locations.storage(spelled)
        if spelled.startswith(("dbfs:" + _DATASETS, _DATASETS)):
            from brickyard.local.samples import ensure_datasets

            ensure_datasets(locations.storage("dbfs:/"))
        return str(local)
    if spelled.startswith("/Workspace/"):
        return str(locations.workspace(spelled))
    return value


def install_path_translation(locations: Locations, check_missing: bool = True) -> None:
    """Patch the Spark Connect reader and writer classes of this process (once per process).

    `check_missing=False` leaves reads of missing paths to the engine (the pipeline executor reads
    its own datasets' folders before they exist)."""
    from pyspark.sql.connect import readwriter
    from pyspark.sql.connect.streaming import readwriter as streaming

    def translate(value: Any) -> Any:
        if isinstance(value, str):
            return translate_path(locations, value)
        if isinstance(value, list | tuple):
            return [translate(item) for item in value]
        return value

    def first_path(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return _first_arg(args, kwargs, "path", translate)

    def existing_path(
        args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        original = args[0] if args else kwargs.get("path")
        args, kwargs = first_path(args, kwargs)
        local = args[0] if args else kwargs.get("path")
        if check_missing:
            for spelled, path in zip(_as_list(original), _as_list(local), strict=False):
                _check_exists(spelled, path)
        return args, kwargs

    _wrap(readwriter.DataFrameReader, "load", existing_path)
    _wrap(streaming.DataStreamReader, "load", first_path)
    _wrap(readwriter.DataFrameWriter, "save", first_path)
    _wrap(streaming.DataStreamWriter, "start", first_path)
    for cls in (
        readwriter.DataFrameReader,
        readwriter.DataFrameWriter,
        streaming.DataStreamReader,
        streaming.DataStreamWriter,
    ):
        _wrap(cls, "option", lambda args, kwargs: _option(args, kwargs, translate))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _check_exists(spelled: Any, local: Any) -> None:
    """Spark fails a batch read of a missing path; the engine would return no rows instead."""
    if not isinstance(local, str) or not local.startswith("/") or "{" in local:
        return  # a URL, or an alternation only the engine expands
    found = glob.glob(local) if _GLOB_CHARS & set(local) else os.path.exists(local)
    if not found:
        _raise_missing(str(spelled))


def _raise_missing(spelled: str) -> None:
    from pyspark.errors import AnalysisException

    shown = dbfs_spelling(spelled) or spelled
    raise AnalysisException(f"[PATH_NOT_FOUND] Path does not exist: {shown}. SQLSTATE: 42K03")


Rewrite = Callable[[tuple[Any, ...], dict[str, Any]], tuple[tuple[Any, ...], dict[str, Any]]]


def _wrap(cls: type, name: str, rewrite: Rewrite) -> None:
    original = getattr(cls, name)
    if getattr(original, "__brickyard_paths__", False):
        return

    @functools.wraps(original)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = rewrite(args, kwargs)
        return original(self, *args, **kwargs)

    method.__brickyard_paths__ = True  # type: ignore[attr-defined]
    setattr(cls, name, method)


def _first_arg(
    args: tuple[Any, ...], kwargs: dict[str, Any], name: str, translate: Callable[[Any], Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    if args:
        return (translate(args[0]), *args[1:]), kwargs
    if name in kwargs:
        return args, {**kwargs, name: translate(kwargs[name])}
    return args, kwargs


def _option(
    args: tuple[Any, ...], kwargs: dict[str, Any], translate: Callable[[Any], Any]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    if len(args) == 2 and isinstance(args[0], str) and args[0].lower() in _PATH_OPTIONS:
        return (args[0], translate(args[1])), kwargs
    return args, kwargs
