"""What pipeline code expects around it while an update runs, put back afterwards.

On Databricks, pipeline source imports `dlt` (or `pyspark.pipelines`), imports helper modules that
sit next to it, reads the pipeline configuration from `spark.conf`, and resolves unqualified table
names in the pipeline's catalog.schema. `pipeline_environment` sets up all of that on a shared
Spark Connect session and the current interpreter, and restores both when the update ends, so an
in-process caller (tests, a long-lived worker) is left as it was.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from brickyard.pipelines.modules import pipeline_modules
from brickyard.pipelines.names import DEFAULT_CATALOG, quote
from brickyard.pipelines.session import PipelineSession
from brickyard.pipelines.sources import SourceUnit
from brickyard.pipelines.spec import PipelineSpec

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@contextmanager
def pipeline_environment(
    spark: SparkSession, spec: PipelineSpec, units: list[SourceUnit], *, create_schema: bool
) -> Iterator[PipelineSession]:
    """Yields the `spark` that pipeline code gets. Creates the target schema unless told not to."""
    paths = list(
        dict.fromkeys(
            [*(str(Path(u.file).parent) for u in units), *([spec.root_path] if spec.root_path else [])]
        )
    )
    saved_path = list(sys.path)
    sys.path[:0] = [p for p in paths if p not in sys.path]
    saved_conf: dict[str, str | None] = {}
    for key, value in spec.configuration.items():
        # Best effort: the session proxy answers spark.conf.get anyway; this also covers code that
        # reaches the session another way (SparkSession.getActiveSession()).
        with suppress(Exception):
            saved_conf[key] = spark.conf.get(key, None)
            spark.conf.set(key, value)
    saved_namespace = _current_namespace(spark)
    if spec.schema:
        _use_namespace(spark, spec.catalog or DEFAULT_CATALOG, spec.schema, create=create_schema)
    try:
        with pipeline_modules():
            yield PipelineSession(spark, spec.configuration)
    finally:
        sys.path[:] = saved_path
        for key, previous in saved_conf.items():
            with suppress(Exception):
                if previous is None:
                    spark.conf.unset(key)
                else:
                    spark.conf.set(key, previous)
        if saved_namespace is not None:
            with suppress(Exception):
                spark.catalog.setCurrentCatalog(saved_namespace[0])
                spark.catalog.setCurrentDatabase(saved_namespace[1])


def _current_namespace(spark: SparkSession) -> tuple[str, str] | None:
    try:
        return spark.catalog.currentCatalog(), spark.catalog.currentDatabase()
    except Exception:
        return None


def _use_namespace(spark: SparkSession, catalog: str, schema: str, *, create: bool) -> None:
    """Make unqualified names in pipeline code mean the pipeline's schema, as on Databricks.

    A catalog the engine does not have (Sail cannot create catalogs) still works as a namespace of
    the default catalog, so `dev.sales.orders` resolves either way.
    """
    if create:
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS {quote(catalog)}.{quote(schema)}").collect()
    with suppress(Exception):
        catalogs = {c.name for c in spark.catalog.listCatalogs()}
        if catalog in catalogs:
            spark.catalog.setCurrentCatalog(catalog)
            spark.catalog.setCurrentDatabase(schema)
        else:
            spark.catalog.setCurrentDatabase(f"{catalog}.{schema}")
