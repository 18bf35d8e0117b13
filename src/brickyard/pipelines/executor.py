"""Running one flow: compute its rows, enforce expectations, write its target, advance its checkpoint.

The order is what makes failures safe: nothing is written until the flow's query has run and its
expectations have been counted (an `expect_or_fail` violation stops here), the target changes in one
Delta commit, and only then does the checkpoint move, so a failed flow re-reads the same input next
time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from brickyard import filemeta
from brickyard.pipelines import cdc, expectations
from brickyard.pipelines.checkpoints import Checkpoint, Storage
from brickyard.pipelines.graph import Dataset, DatasetKind, Flow, FlowKind
from brickyard.pipelines.runtime import Runtime
from brickyard.pipelines.spec import FlowResult
from brickyard.pipelines.streams import FlowContext
from brickyard.pipelines.tables import Tables, WriteMode

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


class FlowRunner:
    """Runs flows during one update; remembers which targets it has started writing this update."""

    def __init__(self, spark: SparkSession, runtime: Runtime, storage: Storage, tables: Tables) -> None:
        self.spark = spark
        self.runtime = runtime
        self.storage = storage
        self.tables = tables
        self._written: set[str] = set()

    def run(self, flow: Flow, dataset: Dataset, *, reset: bool) -> FlowResult:
        """Run one flow; `reset` (full refresh) starts from an empty checkpoint and replaces the target.

        The old checkpoint and table stay until the new ones are written, so a full refresh that
        fails leaves the dataset as the previous update left it.
        """
        checkpoint = Checkpoint() if reset else self.storage.checkpoint(flow.name)
        result = FlowResult(name=flow.name, dataset=dataset.name, status="COMPLETED")
        if flow.once and checkpoint.once_done:
            self.tables.publish(dataset)
            return result
        incremental = flow.incremental and dataset.kind is not DatasetKind.MATERIALIZED_VIEW
        context = FlowContext(flow, dataset, incremental=incremental, checkpoint=checkpoint)
        frame = self.runtime.run_query(context)
        first_write = dataset.key not in self._written and (reset or not self.tables.exists(dataset.key))
        if context.nothing_new and not first_write:
            self._commit(flow, context)
            self.tables.publish(dataset)  # re-registers the table if the engine restarted since
            self._record(result, context.quality)
            return result
        if self.runtime.file_metadata:
            frame = filemeta.without_file_metadata(frame)
        frame, report = expectations.enforce(frame, dataset.expectations, dataset.name, flow.file)
        if report is not None:
            context.quality.extend(report)
        if flow.kind is FlowKind.CDC:
            assert flow.cdc is not None
            metrics = cdc.apply(
                self.spark,
                frame,
                flow.cdc,
                target=self.tables.path(dataset.key),
                state=self.storage.table_path(_state_key(dataset)),
                staging=self.storage.staging_path(flow.name, "cdc"),
                reset=first_write,
            )
            result.num_upserted_rows = metrics["num_upserted_rows"]
            result.num_deleted_rows = metrics["num_deleted_rows"]
            result.num_output_rows = result.num_upserted_rows
        else:
            mode: WriteMode = "append" if incremental and not first_write else "overwrite"
            result.num_output_rows = self.tables.write(dataset.key, frame, mode)
        self._written.add(dataset.key)
        self._commit(flow, context)
        self.tables.publish(dataset)
        self._record(result, context.quality)
        return result

    def _commit(self, flow: Flow, context: FlowContext) -> None:
        checkpoint = Checkpoint(
            sources={**context.checkpoint.sources, **context.pending}, once_done=flow.once
        )
        if context.incremental or flow.once:
            self.storage.save_checkpoint(flow.name, checkpoint)

    @staticmethod
    def _record(result: FlowResult, quality: expectations.QualityReport) -> None:
        if quality.counts:
            result.dropped_records = quality.dropped
            result.expectations = [c.as_event() for c in quality.counts]


def _state_key(dataset: Dataset) -> str:
    return f"__apply_changes_storage_{dataset.key}"
