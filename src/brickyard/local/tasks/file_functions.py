"""`read_files(…)` and `cloud_files(…)` in SQL outside a pipeline: the engine has neither function.

Notebooks, SQL files and dbt models read raw files with
`SELECT * FROM read_files('/Volumes/…', format => 'csv')`, or `FROM STREAM read_files(…)` in a
streaming table. Each call becomes a temporary view of a batch read of the files, made the way
the pipeline executor reads them (`pipelines.filesource`: Auto Loader's schema inference, the
`_rescued_data` column, DBFS and volume paths in the workspace's storage); a stream reads every
file, which is what a streaming table built from scratch holds.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from brickyard.errors import TaskError

if TYPE_CHECKING:
    from brickyard.local.tasks.paths import Locations
    from brickyard.pipelines.sqlrefs import TableRef

_CALL = re.compile(r"\b(read_files|cloud_files)\s*\(", re.I)


def with_file_views(spark: Any, statement: str, locations: Locations) -> str:
    """`statement` with each file function replaced by a temporary view of what it reads."""
    if not _CALL.search(statement):
        return statement
    from brickyard.errors import PipelineError
    from brickyard.pipelines import filesource, sqlrefs

    def resolve(ref: TableRef) -> str | None:
        if ref.function is None:
            return None
        try:
            source = filesource.parse_read_files(ref.arguments, ref.function)
            root = filesource.resolve_path(source.path, str(locations.storage_root))
            glob_filter = next((v for k, v in source.options.items() if k.lower() == "pathglobfilter"), None)
            files = filesource.list_files(root, glob_filter)
            frame = filesource.read_batch(spark, source, files, None)[0]
        except PipelineError as exc:
            raise TaskError(f"{ref.function}: {exc}") from exc
        name = f"brickyard_files_{uuid.uuid4().hex[:12]}"
        frame.createOrReplaceTempView(name)
        return f"`{name}`"

    return sqlrefs.rewrite(statement, resolve)
