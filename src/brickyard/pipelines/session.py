"""The `spark` that pipeline code sees: the real session, with pipeline-aware reads and configuration.

On Databricks, `spark.read.table("orders")` and `spark.readStream.table("orders")` inside a pipeline
read the pipeline's own dataset, `spark.readStream.format("cloudFiles")` is Auto Loader, and
`spark.conf.get("my.key")` sees the pipeline's configuration. This proxy gives the same meaning on a
Spark Connect session; everything else goes to the real session untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from brickyard.errors import PipelineError
from brickyard.pipelines import active
from brickyard.pipelines.filesource import FileSource
from brickyard.pipelines.sqltokens import substitute

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

_FILE_FORMATS = {"csv", "json", "parquet", "text", "orc", "avro", "binaryfile"}
_MISSING = object()


def _option_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class PipelineSession:
    """Wraps a session; what it does not define is the session's own (`range`, `createDataFrame`, …)."""

    def __init__(self, spark: SparkSession, configuration: Mapping[str, str]) -> None:
        self._spark = spark
        self._configuration = configuration

    def __getattr__(self, name: str) -> Any:
        return getattr(self._spark, name)

    @property
    def read(self) -> _Reader:
        return _Reader(self._spark.read)

    @property
    def readStream(self) -> StreamReader:
        return StreamReader()

    @property
    def conf(self) -> _Conf:
        return _Conf(self._spark.conf, self._configuration)

    def table(self, tableName: str) -> DataFrame:
        return self.read.table(tableName)

    def sql(self, sqlQuery: str, args: Any = None, **kwargs: Any) -> DataFrame:
        text = substitute(sqlQuery, self._configuration)
        runtime = active.current_runtime()
        if runtime is not None and args is None and not kwargs:
            return runtime.sql(text)
        return self._spark.sql(text, args, **kwargs)


class _Reader:
    """`spark.read`, except that `table()` of a pipeline dataset reads the dataset."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader

    def table(self, tableName: str) -> DataFrame:
        runtime = active.current_runtime()
        if runtime is not None:
            return runtime.read(tableName, stream=False, strict=False)
        return self._reader.table(tableName)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._reader, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            return _Reader(result) if result is self._reader else result

        return call


class StreamReader:
    """`spark.readStream`: Auto Loader, file streams, and streams over Delta tables and datasets."""

    def __init__(self) -> None:
        self._format: str | None = None
        self._options: dict[str, str] = {}
        self._schema: Any = None

    def format(self, source: str) -> StreamReader:
        self._format = source
        return self

    def option(self, key: str, value: Any) -> StreamReader:
        self._options[key] = _option_value(value)
        return self

    def options(self, **options: Any) -> StreamReader:
        for key, value in options.items():
            self.option(key, value)
        return self

    def schema(self, schema: Any) -> StreamReader:
        self._schema = schema
        return self

    def load(
        self, path: str | None = None, format: str | None = None, schema: Any = None, **options: Any
    ) -> DataFrame:
        if format is not None:
            self.format(format)
        if schema is not None:
            self.schema(schema)
        self.options(**options)
        runtime = active.runtime("spark.readStream")
        fmt = (self._format or "delta").lower()
        if path is None:
            raise PipelineError(f"spark.readStream.format({fmt!r}).load() needs a path")
        if fmt == "cloudfiles":
            return runtime.read_files(FileSource.cloud_files(path, self._options, self._schema), stream=True)
        if fmt == "delta":
            return runtime.read_delta_path(path, stream=True, options=self._options)
        if fmt in _FILE_FORMATS:
            source = FileSource(
                path, fmt, dict(self._options), self._schema, auto_loader=False, infer_types=True
            )
            return runtime.read_files(source, stream=True)
        raise PipelineError(
            f"streaming source format {fmt!r} is not supported locally; use cloudFiles, a file format, "
            "delta, or a table"
        )

    def table(self, tableName: str) -> DataFrame:
        return active.runtime("spark.readStream.table()").read(
            tableName, stream=True, strict=False, options=self._options
        )

    def csv(self, path: str, **options: Any) -> DataFrame:
        return self.load(path, format="csv", **options)

    def json(self, path: str, **options: Any) -> DataFrame:
        return self.load(path, format="json", **options)

    def parquet(self, path: str, **options: Any) -> DataFrame:
        return self.load(path, format="parquet", **options)

    def text(self, path: str, **options: Any) -> DataFrame:
        return self.load(path, format="text", **options)

    def orc(self, path: str, **options: Any) -> DataFrame:
        return self.load(path, format="orc", **options)


class _Conf:
    """`spark.conf`, answering `get` for the pipeline's configuration keys first."""

    def __init__(self, conf: Any, configuration: Mapping[str, str]) -> None:
        self._conf = conf
        self._configuration = configuration

    def get(self, key: str, default: Any = _MISSING) -> Any:
        if key in self._configuration:
            return self._configuration[key]
        if default is _MISSING:
            return self._conf.get(key)
        return self._conf.get(key, default)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conf, name)
