"""Which pipeline the `dlt` / `pyspark.pipelines` functions talk to right now.

Pipeline source calls module-level functions (`dlt.table`, `dlt.read`), so they need an implicit
target: the loader while source files are being executed, the runtime while queries run. A plain
module global (not a context variable) so that helper threads in user code see it too; one process
runs one update at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from brickyard.errors import PipelineError

if TYPE_CHECKING:
    from brickyard.pipelines.loader import Loader
    from brickyard.pipelines.runtime import Runtime

_loader: Loader | None = None
_runtime: Runtime | None = None
workspace_dbutils: Any = None
"""The local workspace's `dbutils`, set by the pipeline worker; pipeline source sees it as `dbutils`."""


def loader(what: str) -> Loader:
    if _loader is None:
        raise PipelineError(
            f"{what} declares part of a pipeline and only works in pipeline source while an update loads it"
        )
    return _loader


def runtime(what: str) -> Runtime:
    if _runtime is None:
        raise PipelineError(
            f"{what} reads a pipeline dataset and only works inside a dataset's query function"
        )
    return _runtime


def current_runtime() -> Runtime | None:
    """The runtime, when a query is running; `spark.read.table` falls back to the catalog otherwise."""
    return _runtime


@contextmanager
def loading(current: Loader) -> Iterator[None]:
    global _loader
    previous, _loader = _loader, current
    try:
        yield
    finally:
        _loader = previous


@contextmanager
def running(current: Runtime) -> Iterator[None]:
    global _runtime
    previous, _runtime = _runtime, current
    try:
        yield
    finally:
        _runtime = previous
