"""Lakeflow / DLT pipelines, run locally on a Spark Connect engine, with data-quality expectations.

Entry points:

- `run_update(spark, spec, options, sink) -> UpdateResult` runs one update in-process on a session
  (`brickyard.local.engine.connect`), sending event-log events to `sink`.
- `python -m brickyard.pipelines.worker REQUEST.json` does the same in a worker process, for the local
  workspace server (`pipelines start-update`, `pipeline_task`): see `worker.py` for the request.
- `PipelineSpec.from_settings(...)` builds a spec from Pipelines API settings.
- `register_published(spark, storage)` makes a pipeline's tables visible in another session: Sail
  keeps one in-memory catalog per Spark Connect session.

Heavy imports (pyspark) happen only when an update runs.
"""

from brickyard.pipelines.events import EventSink, JsonLinesSink, ListSink, read_events
from brickyard.pipelines.spec import FlowResult, Library, PipelineSpec, UpdateOptions, UpdateResult
from brickyard.pipelines.tables import register_published
from brickyard.pipelines.update import UpdateCanceled, run_update

__all__ = [
    "EventSink",
    "FlowResult",
    "JsonLinesSink",
    "Library",
    "ListSink",
    "PipelineSpec",
    "UpdateCanceled",
    "UpdateOptions",
    "UpdateResult",
    "read_events",
    "register_published",
    "run_update",
]
