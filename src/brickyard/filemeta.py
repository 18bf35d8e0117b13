"""The `_metadata` column of file sources, shared by pipelines and tasks.

On Databricks every file source has a hidden `_metadata` column (the file each row came from:
`file_path`, `file_name`, `file_size`, `file_modification_time`, …). The local engine has none, so
for code that reads it (found by `code_reads_metadata`) the files are read one by one, each with
the column (`with_file_metadata`), and what is stored leaves the column itself out
(`without_file_metadata`), as the hidden column is on Databricks. Kept apart from the pipeline
executor so that a task imports only this.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

METADATA = "_metadata"
METADATA_USE = re.compile(r"\b_metadata\b|\binput_file_name\s*\(", re.I)
"""Code that reads the file metadata column (or `input_file_name()`, which is its `file_path`)."""


_SCANNED = 400
"""At most this many files are looked at, for code that names `_metadata`, beside a task's or
pipeline's own (searching a whole workspace would cost every task start)."""


def code_reads_metadata(sources: list[Path]) -> bool:
    """Whether `sources`, or the code deployed with them, names the `_metadata` column: the code
    of a bundle (its deployed `files` folder, else the sources' folders) is searched, so a helper
    module that reads it counts too."""
    roots: list[Path] = []
    for source in sources:
        if _mentions(source):
            return True
        parts = source.parts
        if ".bundle" in parts and len(parts) > parts.index(".bundle") + 3:
            root = Path(*parts[: parts.index(".bundle") + 4])  # …/.bundle/<name>/<target>/files
        else:
            root = source.parent
        if root not in roots:
            roots.append(root)
    seen = 0
    for root in roots:
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in names:
                seen += 1
                if seen > _SCANNED:
                    return False  # a large tree: its own code is what was searched
                path = Path(folder) / name
                if name.endswith(".py") and path not in sources and _mentions(path):
                    return True
    return False


def _mentions(path: Path) -> bool:
    try:
        return (
            path.stat().st_size < 2_000_000
            and METADATA_USE.search(path.read_text("utf-8", "replace")) is not None
        )
    except OSError:
        return False


def with_file_metadata(
    files: list[str], shown_as: Callable[[str], str], read: Callable[[str], DataFrame]
) -> DataFrame:
    """The rows of every file, each with the `_metadata` column Databricks gives file sources:
    `file_path`, `file_name`, `file_size`, `file_block_start`, `file_block_length` and
    `file_modification_time` of the file it came from. The engine has no such column, so each
    file is read on its own and the frames are joined."""
    from functools import reduce

    frames = [read(file).withColumn(METADATA, _metadata_of(file, shown_as(file))) for file in files]
    return reduce(lambda a, b: a.unionByName(b), frames)


def no_file_metadata(frame: DataFrame) -> DataFrame:
    """`frame` (of no file) with an empty `_metadata` column, so queries that read it still resolve."""
    from pyspark.sql import functions as F

    return frame.withColumn(METADATA, F.lit(None).cast(_METADATA_TYPE))


_METADATA_TYPE = (
    "struct<file_path:string,file_name:string,file_size:bigint,file_block_start:bigint,"
    "file_block_length:bigint,file_modification_time:timestamp>"
)


def _metadata_of(file: str, shown: str) -> Any:
    from datetime import UTC, datetime

    from pyspark.sql import functions as F

    stat = os.stat(file)
    return F.struct(
        F.lit(shown).alias("file_path"),
        F.lit(posixpath.basename(shown)).alias("file_name"),
        F.lit(stat.st_size).cast("bigint").alias("file_size"),
        F.lit(0).cast("bigint").alias("file_block_start"),
        F.lit(stat.st_size).cast("bigint").alias("file_block_length"),
        F.lit(datetime.fromtimestamp(stat.st_mtime, UTC)).alias("file_modification_time"),
    )


def input_file_name_reads_metadata() -> None:
    """`F.input_file_name()`, which the engine lacks, as the file metadata column's `file_path`."""
    from pyspark.sql import functions

    functions.input_file_name = lambda: functions.col("_metadata.file_path")


def without_file_metadata(frame: DataFrame) -> DataFrame:
    """What a dataset stores: `_metadata` is hidden, as on Databricks, unless renamed."""
    return frame.drop(METADATA) if METADATA in frame.columns else frame


def shown_path(source_path: str, root: Path, local: str) -> str:
    """A file of a source as the workspace names it: the source's path plus the file's place
    under the source's folder (a glob source's files by their local path)."""
    try:
        relative = Path(local).relative_to(root.resolve()).as_posix()
    except ValueError:
        return "file:" + local
    base = source_path.rstrip("/")
    if relative in ("", "."):
        return base
    return f"{base}/{relative}"
