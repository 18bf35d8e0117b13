"""File sources: Auto Loader (`cloudFiles`), `read_files(…)` / `cloud_files(…)` and plain file streams.

Sail has no `cloudFiles` format and no streaming sink, so ingestion is done as batches: this module
parses the source's options, lists its files and reads a list of them in the source's schema;
`streams.py` decides which files are new for a flow, and the flow's checkpoint keeps the processed
file list and the schema, so a full refresh starts over by ignoring it.

The schema is fixed by the first update and reused after, as Auto Loader's schema location does.
Like Auto Loader, CSV and JSON values are inferred as strings (a JSON object stays a struct of
strings) unless `cloudFiles.inferColumnTypes` is true (`read_files` infers types unless told
otherwise), `schemaHints` set the type of the top-level columns they name, CSV files have a header
unless `header` says otherwise, and an inferred schema gets a `_rescued_data` column. Column values that do not fit are not rescued: the column stays null.
"""

from __future__ import annotations

import glob as globlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from brickyard.errors import PipelineError
from brickyard.filemeta import no_file_metadata, with_file_metadata
from brickyard.pipelines.sqltokens import significant, tokenize, unquote_string

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

RESCUED = "_rescued_data"
_STRING_FORMATS = {"csv", "json"}
_SAMPLE_FILES = 100
_IGNORED_OPTIONS = {
    "pathglobfilter",
    "recursivefilelookup",
    "modifiedafter",
    "modifiedbefore",
    "rescueddatacolumn",
}


@dataclass
class FileSource:
    path: str
    format: str
    options: dict[str, str] = field(default_factory=dict)
    schema: StructType | str | None = None
    auto_loader: bool = True
    """Auto Loader / read_files semantics (string inference, `_rescued_data`), not a plain file read."""
    infer_types: bool = False
    hints: str = ""
    """`schemaHints`: `name TYPE, …` for top-level columns whose inferred type is not the one wanted."""

    @classmethod
    def cloud_files(cls, path: str, options: dict[str, str], schema: StructType | str | None) -> FileSource:
        lowered = {k.lower(): v for k, v in options.items()}
        fmt = lowered.get("cloudfiles.format")
        if not fmt:
            raise PipelineError(
                f"Auto Loader source {path} needs option cloudFiles.format (csv, json, parquet, …)"
            )
        reader_options = {k: v for k, v in options.items() if not k.lower().startswith("cloudfiles.")}
        if fmt.lower() == "csv" and "header" not in {k.lower() for k in reader_options}:
            reader_options["header"] = "true"  # Auto Loader assumes CSV files have a header
        infer = lowered.get("cloudfiles.infercolumntypes", "false").lower() == "true"
        hints = lowered.get("cloudfiles.schemahints", "")
        return cls(
            path, fmt.lower(), reader_options, schema, auto_loader=True, infer_types=infer, hints=hints
        )

    @property
    def source_id(self) -> str:
        return f"files:{self.format}:{self.path}"


def parse_read_files(arguments: str, function: str) -> FileSource:
    """The arguments of `read_files('path', format => 'csv', …)` or `cloud_files('path', 'csv', map(…))`."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for argument in _split_arguments(arguments):
        tokens = significant(tokenize(argument))
        if len(tokens) >= 3 and tokens[0].is_name and tokens[1].text == "=>":
            named[tokens[0].name] = _literal(argument[tokens[2].start :].strip())
        elif tokens and tokens[0].upper == "MAP" and len(tokens) > 1 and tokens[1].text == "(":
            inner = _split_arguments(argument[tokens[1].end : tokens[-1].start])
            values = [_literal(v.strip()) for v in inner]
            named.update(zip(values[::2], values[1::2], strict=False))
        else:
            positional.append(_literal(argument.strip()))
    if not positional:
        raise PipelineError(f"{function}() needs a path as its first argument")
    path = positional[0]
    if function == "cloud_files":
        if len(positional) < 2:
            raise PipelineError("cloud_files() needs a path and a format: cloud_files('/path', 'json')")
        options = {"cloudFiles.format": positional[1], **named}
        schema = options.pop("schema", None)
        return FileSource.cloud_files(path, options, schema)
    fmt = named.pop("format", None)
    if not fmt:
        suffix = Path(path.rstrip("/*")).suffix.lstrip(".").lower()
        fmt = suffix or "parquet"
    schema = named.pop("schema", None)
    infer = named.pop("inferColumnTypes", "true").lower() != "false"
    hints = named.pop("schemaHints", "")
    return FileSource(path, fmt.lower(), named, schema, auto_loader=True, infer_types=infer, hints=hints)


def _split_arguments(text: str) -> list[str]:
    pieces: list[str] = []
    depth = 0
    last = 0
    for token in significant(tokenize(text)):
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif token.text == "," and depth == 0:
            pieces.append(text[last : token.start])
            last = token.end
    if text[last:].strip():
        pieces.append(text[last:])
    return [p for p in pieces if p.strip()]


def _literal(text: str) -> str:
    if text[:1] in "'\"" or text[:2].lower() in ("r'", 'r"'):
        return unquote_string(text)
    return text


def resolve_path(path: str, storage_root: str | None) -> Path:
    """A source path as a local path; `dbfs:/` and `/Volumes/` map into the local workspace storage."""
    if path.startswith("file:"):
        return Path(unquote(urlparse(path).path))
    if storage_root is not None:
        from brickyard.local.tasks.spark_paths import dbfs_spelling

        path = dbfs_spelling(path) or path  # `/databricks-datasets/x` is `dbfs:/databricks-datasets/x`
    if path.startswith(("dbfs:", "/dbfs/", "/Volumes/")):
        if storage_root is None:
            raise PipelineError(
                f"{path} is a workspace storage path; run the pipeline on the local workspace"
            )
        from brickyard.local.protocol import storage_file

        if path.startswith(("dbfs:/databricks-datasets", "/dbfs/databricks-datasets")):
            from brickyard.local.samples import ensure_datasets

            ensure_datasets(Path(storage_root) / "dbfs")
        return storage_file(Path(storage_root), path)
    return Path(path)


def list_files(root: Path, glob_filter: str | None = None) -> list[str]:
    """Every data file under `root` (a file, a directory, or a glob pattern), sorted.

    Hidden files and those starting with `_` (Spark's `_SUCCESS`, `_committed_…`) are not data.
    """
    text = str(root)
    if any(char in text for char in "*?["):
        candidates = [Path(p) for p in globlib.glob(text, recursive=True)]
        found: list[Path] = []
        for candidate in candidates:
            found.extend(candidate.rglob("*") if candidate.is_dir() else [candidate])
    elif root.is_dir():
        found = list(root.rglob("*"))
    elif root.is_file():
        found = [root]
    else:
        found = []
    files = []
    for path in found:
        if not path.is_file() or path.name.startswith(("_", ".")):
            continue
        if glob_filter and not path.match(glob_filter):
            continue
        files.append(str(path.resolve()))
    return sorted(set(files))


def read_batch(
    spark: SparkSession,
    source: FileSource,
    files: list[str],
    stored_schema: StructType | None,
    shown_as: Callable[[str], str] | None = None,
) -> tuple[DataFrame, StructType]:
    """The rows of `files`, in the source's output schema; returns that schema for the checkpoint.

    With `shown_as` (a local file → its path as the workspace names it), each row also gets the
    `_metadata` column of the file it came from (`with_file_metadata`)."""
    from pyspark.sql.types import StringType, StructField, StructType

    user_schema = source.schema
    options = {k: v for k, v in source.options.items() if k.lower() not in _IGNORED_OPTIONS}
    if source.format == "csv" and source.auto_loader and source.infer_types:
        options.setdefault("inferSchema", "true")
    if not files:
        if stored_schema is not None:
            empty = spark.createDataFrame([], stored_schema)
            return (empty if shown_as is None else no_file_metadata(empty)), stored_schema
        if user_schema is not None:
            empty = spark.createDataFrame([], user_schema)
            return (empty if shown_as is None else no_file_metadata(empty)), empty.schema
        raise PipelineError(
            f"no files to read in {source.path}, so their schema is unknown; "
            "add files or give the source a schema"
        )
    reader = spark.read.format(source.format).options(**options)
    if user_schema is not None:
        df = reader.schema(user_schema).load(files)
        return df, stored_schema or df.schema
    if stored_schema is None:
        sample = reader.load(files[:_SAMPLE_FILES])
        output = _hinted(_stringify(sample) if _strings(source) else sample, source.hints)
        fields = [f for f in output.schema.fields if f.name != RESCUED]
        if source.auto_loader and source.format in _STRING_FORMATS:
            fields.append(StructField(RESCUED, StringType(), True))
        stored_schema = StructType(fields)
    if shown_as is not None:
        read = lambda f: _prepared(reader.load(f), source, stored_schema)  # noqa: E731
        return with_file_metadata(files, shown_as, read), stored_schema
    return _prepared(reader.load(files), source, stored_schema), stored_schema


def _prepared(df: DataFrame, source: FileSource, schema: StructType) -> DataFrame:
    if _strings(source):
        df = _stringify(df)
    return align(_hinted(df, source.hints), schema)


def _strings(source: FileSource) -> bool:
    return source.auto_loader and source.format in _STRING_FORMATS and not source.infer_types


def _stringify(df: DataFrame) -> DataFrame:
    """Auto Loader's default: every inferred CSV/JSON value is a string, nested fields included
    (a JSON object stays a struct, its fields strings)."""
    from pyspark.sql import functions as F

    columns: list[Any] = []
    for fld in df.schema.fields:
        column = F.col(f"`{fld.name}`")
        wanted = _string_leaves(fld.dataType)
        columns.append(column if wanted == fld.dataType else column.cast(wanted).alias(fld.name))
    return df.select(*columns)


def _string_leaves(data_type: Any) -> Any:
    from pyspark.sql.types import ArrayType, MapType, StringType, StructField, StructType

    if isinstance(data_type, StructType):
        return StructType([StructField(f.name, _string_leaves(f.dataType), True) for f in data_type.fields])
    if isinstance(data_type, ArrayType):
        return ArrayType(_string_leaves(data_type.elementType), True)
    if isinstance(data_type, MapType):
        return MapType(StringType(), _string_leaves(data_type.valueType), True)
    return StringType()


def _hinted(df: DataFrame, hints: str) -> DataFrame:
    """`df` with the top-level columns `hints` names (`id BIGINT, amount DECIMAL(10,2)`) cast to
    the hinted type; hints for nested fields or absent columns change nothing."""
    if not hints.strip():
        return df
    from pyspark.sql import functions as F

    from brickyard.local.sql.text import split_top_level

    wanted: dict[str, str] = {}
    for hint in split_top_level(hints):
        name, _, type_text = hint.strip().partition(" ")
        name = name.strip("`")
        if name and type_text.strip() and "." not in name:
            wanted[name.lower()] = type_text.strip()
    columns = [
        F.col(f"`{f.name}`").cast(wanted[f.name.lower()]).alias(f.name)
        if f.name.lower() in wanted
        else F.col(f"`{f.name}`")
        for f in df.schema.fields
    ]
    return df.select(*columns)


def align(df: DataFrame, schema: StructType) -> DataFrame:
    """`df` with exactly the columns of `schema`: cast where types differ, null where missing."""
    from pyspark.sql import functions as F

    present = {f.name: f.dataType for f in df.schema.fields}
    columns = []
    for fld in schema.fields:
        if fld.name not in present:
            columns.append(F.lit(None).cast(fld.dataType).alias(fld.name))
        elif present[fld.name] != fld.dataType:
            columns.append(F.col(f"`{fld.name}`").cast(fld.dataType).alias(fld.name))
        else:
            columns.append(F.col(f"`{fld.name}`"))
    return df.select(*columns)
