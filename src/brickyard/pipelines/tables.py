"""The datasets' Delta tables: writing them atomically and publishing them to the catalog.

Every stored dataset lives at a path under the pipeline's storage and is published by location
(`CREATE TABLE … USING delta LOCATION …`) in the pipeline's catalog.schema. Data written by a flow
becomes visible in one Delta commit (an overwrite for materialized views, an append for streams), so
a failing flow leaves the table as the last good update left it. Keeping the data at a known path
also means the tables survive an engine restart: Sail's catalog is in memory, and the next update
re-registers what this pipeline published before.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from brickyard.errors import PipelineError
from brickyard.pipelines import deltalog
from brickyard.pipelines.checkpoints import Storage
from brickyard.pipelines.filesource import align
from brickyard.pipelines.graph import Dataset
from brickyard.pipelines.names import Names, quote, split_name

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

WriteMode = Literal["overwrite", "append"]


class Tables:
    def __init__(self, spark: SparkSession, storage: Storage, names: Names) -> None:
        self.spark = spark
        self.storage = storage
        self.names = names

    def path(self, key: str) -> Path:
        return self.storage.table_path(key)

    def exists(self, key: str) -> bool:
        return deltalog.is_table(self.path(key))

    def write(self, key: str, frame: DataFrame, mode: WriteMode) -> int:
        """Write `frame` in one commit; returns the number of rows written."""
        path = self.path(key)
        if mode == "append" and deltalog.is_table(path):
            frame, evolved = self._fit(path, frame)
            if evolved is not None:
                rows = frame.count()
                evolved.write.format("delta").mode("overwrite").option("overwriteSchema", "true").save(
                    str(path)
                )
                return rows
        writer = frame.write.format("delta").mode(mode)
        if mode == "overwrite":
            writer = writer.option("overwriteSchema", "true")
        writer.save(str(path))
        version = deltalog.latest_version(path)
        metrics = deltalog.commit_metrics(path, version) if version is not None else {}
        return int(metrics.get("numOutputRows", 0) or 0)

    def _fit(self, path: Path, frame: DataFrame) -> tuple[DataFrame, DataFrame | None]:
        """Match an append to the table's schema; new columns evolve it (Sail ignores mergeSchema).

        Returns the aligned rows, and when the schema must grow, the table's full new content.
        """
        existing = self.spark.read.format("delta").load(str(path))
        known = {f.name.lower() for f in existing.schema.fields}
        if all(f.name.lower() in known for f in frame.schema.fields):
            return align(frame, existing.schema), None
        return frame, existing.unionByName(frame, allowMissingColumns=True)

    def publish(self, dataset: Dataset) -> None:
        """Register a stored dataset in the catalog, once; never take over a table someone else made."""
        if self.names.target is None or dataset.temporary or not self.exists(dataset.key):
            return
        dotted = ".".join(split_name(dataset.key))
        owned = dotted in self.storage.published()
        if self.spark.catalog.tableExists(dotted):
            if owned:
                return
            raise PipelineError(
                f"table {dotted} already exists and was not created by this pipeline; "
                "rename the dataset or drop the table",
                dataset=dataset.name,
                file=dataset.file,
            )
        _register(self.spark, dotted, self.path(dataset.key))
        self.storage.add_published(dotted, self.path(dataset.key))


def register_published(spark: SparkSession, storage: Path) -> list[str]:
    """Register, in `spark`'s catalog, every table the pipeline with this storage has published.

    Sail keeps one in-memory catalog per session, so a table a pipeline worker published is not
    visible to other sessions (job task workers, SQL clients) until they register it too. Returns
    the names registered; tables whose data is gone are left out.
    """
    registered = []
    for name, location in sorted(Storage(storage).published().items()):
        path = Path(location)
        if deltalog.is_table(path) and not spark.catalog.tableExists(name):
            _register(spark, name, path)
            registered.append(name)
    return registered


def _register(spark: SparkSession, dotted: str, location: Path) -> None:
    parts = split_name(dotted)
    if len(parts) > 1:
        schema = ".".join(quote(p) for p in parts[:-1])
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS {schema}").collect()
    name = ".".join(quote(p) for p in parts)
    escaped = str(location).replace("'", "\\'")
    spark.sql(f"CREATE TABLE IF NOT EXISTS {name} USING delta LOCATION '{escaped}'").collect()
