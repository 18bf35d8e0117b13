"""Spark reads and writes of `dbfs:/…`, `/Volumes/…` and `/Workspace/…` paths reach local storage.

On Databricks those paths are mounted everywhere; here they name folders under the local
workspace home that the engine knows nothing about. Every file path a DataFrame reader or writer
sends goes through `load`, `save` or a `path`/`checkpointLocation` option of the Spark Connect
client, so translating there covers `spark.read.csv(…)`, `df.write.parquet(…)`, `format().load()`
and streaming alike. Other paths are passed through untouched. Paths inside SQL text are not
rewritten: that would mean parsing the user's SQL.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from brickyard.local.tasks.paths import Locations, is_storage_path

_PATH_OPTIONS = frozenset({"path", "checkpointlocation"})


def install_path_translation(locations: Locations) -> None:
    """Patch the Spark Connect reader and writer classes of this process (once per process)."""
    from pyspark.sql.connect import readwriter
    from pyspark.sql.connect.streaming import readwriter as streaming

    def translate(value: Any) -> Any:
        if isinstance(value, str):
            if is_storage_path(value):
                return str(locations.storage(value))
            if value.startswith("/Workspace/"):
                return str(locations.workspace(value))
            return value
        if isinstance(value, list | tuple):
            return [translate(item) for item in value]
        return value

    def first_path(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return _first_arg(args, kwargs, "path", translate)

    _wrap(readwriter.DataFrameReader, "load", first_path)
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
