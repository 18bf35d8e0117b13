"""What reads mean while a pipeline's queries run: dataset references, streams, files, SQL.

The same query functions run twice per update. During *analysis* a read of a dataset returns that
dataset's own (lazy, unmaterialized) query result, which finds every flow's inputs and output schema
without writing anything, and detects cycles and unknown names. During *execution* a batch read
returns the dataset's stored table and a streaming read returns only what the reading flow has not
seen: new files of a file source, data files added to a Delta table since the version in the flow's
checkpoint. Views are never stored; each flow that reads one runs the view's query inside its own
context, so the view's streaming reads advance that flow's checkpoint and the view's expectations are
counted on exactly the rows that flow consumed.
"""

from __future__ import annotations

import itertools
import re
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Literal

from brickyard import filemeta
from brickyard.errors import PipelineError
from brickyard.local.sql.group_by_all import expand_group_by_all
from brickyard.local.sql.star_except import engine_columns, expand_star_except
from brickyard.pipelines import cdc, deltalog, expectations, filesource, sqlrefs, streams
from brickyard.pipelines.checkpoints import Storage
from brickyard.pipelines.graph import Dataset, DatasetKind, Flow, FlowKind, Graph, cycle_error
from brickyard.pipelines.names import Names
from brickyard.pipelines.streams import FlowContext

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

Mode = Literal["analysis", "execution"]
_run_ids = itertools.count(1)
_INPUT_FILE_NAME = re.compile(r"\binput_file_name\s*\(\s*\)", re.I)


class Runtime:
    def __init__(
        self, spark: SparkSession, graph: Graph, names: Names, storage: Storage, storage_root: str | None
    ) -> None:
        self.spark = spark
        self.graph = graph
        self.names = names
        self.storage = storage
        self.storage_root = storage_root
        self.mode: Mode = "analysis"
        self._contexts: list[FlowContext] = []
        self._analysed: dict[str, tuple[DataFrame, bool]] = {}
        self._analysing: list[str] = []
        self._flow_frames: dict[str, DataFrame] = {}
        self._temp_views: list[str] = []
        self._prefix = f"__brickyard_{next(_run_ids)}_"
        self.file_metadata = False
        """Whether the pipeline's code reads `_metadata` (or `input_file_name()`): file sources then
        carry the column, which stored datasets leave out (`filemeta.with_file_metadata`)."""

    # -- contexts ---------------------------------------------------------------------------------

    def current(self, what: str) -> FlowContext:
        if not self._contexts:
            raise PipelineError(f"{what} only works inside a dataset's query function, not at module level")
        return self._contexts[-1]

    def run_query(self, context: FlowContext) -> DataFrame:
        """Call the flow's query (or read a CDC flow's source) with `context` active."""
        from pyspark.sql import DataFrame

        flow = context.flow
        self._contexts.append(context)
        try:
            if flow.kind is FlowKind.CDC:
                assert flow.cdc is not None
                result: Any = self.read(flow.cdc.source, stream=True, strict=False)
            else:
                assert flow.query is not None
                result = flow.query()
        finally:
            self._contexts.pop()
        if not isinstance(result, DataFrame):
            raise PipelineError(
                f"the query of '{flow.name}' returned {type(result).__name__}, not a DataFrame",
                dataset=context.dataset.name,
                file=flow.file,
            )
        return result

    # -- analysis ---------------------------------------------------------------------------------

    def analyse(self) -> None:
        """Resolve every flow: inputs, whether it streams, output schema. Raises on a bad graph."""
        for key in self.graph.datasets:
            self._analyse_dataset(key)

    def flow_frame(self, flow: Flow) -> DataFrame:
        return self._flow_frames[flow.name]

    def _analyse_dataset(self, key: str) -> tuple[DataFrame, bool]:
        if key in self._analysed:
            return self._analysed[key]
        if key in self._analysing:
            raise cycle_error(self.graph, [*self._analysing[self._analysing.index(key) :], key])
        self._analysing.append(key)
        try:
            dataset = self.graph.datasets[key]
            frames = [self._analyse_flow(flow, dataset) for flow in self.graph.flows_into(key)]
            streaming = dataset.is_view and self.graph.flows_into(key)[0].incremental
            self._analysed[key] = (frames[0], streaming)
        finally:
            self._analysing.pop()
        return self._analysed[key]

    def _analyse_flow(self, flow: Flow, dataset: Dataset) -> DataFrame:
        if flow.name in self._flow_frames:
            return self._flow_frames[flow.name]
        context = FlowContext(flow, dataset, incremental=False, checkpoint=self.storage.checkpoint(flow.name))
        try:
            frame = self.run_query(context)
            if flow.kind is FlowKind.CDC:
                assert flow.cdc is not None
                frame = cdc.output_frame(frame, flow.cdc)
            frame.schema  # noqa: B018 - analysis on the engine: unknown columns, bad SQL
        except PipelineError:
            raise
        except Exception as exc:
            raise PipelineError(
                f"dataset '{dataset.name}' ({flow.file}) cannot be analysed: {_first_line(exc)}",
                dataset=dataset.name,
                file=flow.file,
            ) from exc
        flow.inputs = list(context.inputs)
        flow.incremental = (
            flow.kind is FlowKind.CDC
            or (context.streamed and dataset.kind is not DatasetKind.MATERIALIZED_VIEW)
            or flow.kind is FlowKind.APPEND
        )
        if flow.kind is FlowKind.APPEND and not context.streamed and not flow.once:
            raise PipelineError(
                f"append flow '{flow.name}' reads no stream, so every update would append the same rows "
                "again; read with spark.readStream / STREAM(…), or declare it with once=True",
                dataset=dataset.name,
                file=flow.file,
            )
        expectations.validate(frame, dataset.expectations, dataset.name, flow.file)
        self._flow_frames[flow.name] = frame
        return frame

    # -- reads --------------------------------------------------------------------------------------

    def read(
        self, name: str, *, stream: bool, strict: bool, options: dict[str, str] | None = None
    ) -> DataFrame:
        """A dataset of this pipeline, or (unless `strict`) any other table."""
        context = self.current(f"reading '{name}'")
        key = self.names.key(name)
        dataset = self.graph.datasets.get(key)
        if dataset is None:
            if strict or self.names.is_live(name):
                raise PipelineError(
                    f"dataset '{context.dataset.name}' reads '{name}', which is not defined in this pipeline "
                    f"(defined: {', '.join(d.name for d in self.graph.datasets.values()) or 'nothing'})",
                    dataset=context.dataset.name,
                    file=context.flow.file,
                )
            if stream:
                context.streamed = True
            if stream and context.incremental and self.mode == "execution":
                return streams.table(self.spark, name, context)
            return self.spark.read.table(name)
        if key not in context.inputs:
            context.inputs.append(key)
        if self.mode == "analysis":
            frame, streaming = self._analyse_dataset(key)
            context.streamed = context.streamed or stream or streaming
            return frame
        if dataset.is_view:
            return self._view(dataset, context)
        path = self.storage.table_path(key)
        if not deltalog.is_table(path):
            raise PipelineError(
                f"dataset '{context.dataset.name}' reads '{dataset.name}', which has never been computed; "
                f"include '{dataset.name}' in the update",
                dataset=context.dataset.name,
                file=context.flow.file,
            )
        if stream:
            context.streamed = True
        if not (stream and context.incremental):
            return self.spark.read.format("delta").load(str(path))
        return streams.delta(self.spark, f"dataset:{key}", path, context, options or {})

    def read_delta_path(self, path: str, *, stream: bool, options: dict[str, str]) -> DataFrame:
        context = self.current("spark.readStream.format('delta')")
        local = filesource.resolve_path(path, self.storage_root)
        if stream:
            context.streamed = True
        if not (stream and context.incremental and self.mode == "execution"):
            return self.spark.read.format("delta").load(str(local))
        return streams.delta(self.spark, f"delta:{local.resolve()}", local, context, options)

    def read_files(self, source: filesource.FileSource, *, stream: bool) -> DataFrame:
        """A file source: every file, or for an incremental flow's stream only files not seen before."""
        from pyspark.sql.types import StructType

        context = self.current("reading files")
        root = filesource.resolve_path(source.path, self.storage_root)
        found = filesource.list_files(root, streams.option(source.options, "pathGlobFilter", "") or None)
        source_id = f"files:{source.format}:{root.resolve()}"
        if stream:
            context.streamed = True
        shown_as = (lambda f: filemeta.shown_path(source.path, root, f)) if self.file_metadata else None
        if stream and context.incremental and self.mode == "execution":
            return streams.files(self.spark, source, found, source_id, context, shown_as)
        state = context.checkpoint.sources.get(source_id, {})
        stored = StructType.fromJson(state["schema"]) if state.get("schema") else None
        return filesource.read_batch(self.spark, source, found, stored, shown_as)[0]

    def sql(self, text: str) -> DataFrame:
        """Run a pipeline query: dataset references and file functions become temporary views."""
        context = self.current("a SQL query")

        def resolve(ref: sqlrefs.TableRef) -> str | None:
            if ref.function is not None:
                source = filesource.parse_read_files(ref.arguments, ref.function)
                stream = ref.stream or context.dataset.kind is DatasetKind.STREAMING_TABLE
                return self._temp_view(self.read_files(source, stream=stream))
            assert ref.name is not None
            known = self.names.key(ref.name) in self.graph.datasets or self.names.is_live(ref.name)
            if not known and not ref.stream:
                return None
            return self._temp_view(
                self.read(ref.name, stream=ref.stream, strict=self.names.is_live(ref.name))
            )

        text = expand_group_by_all(sqlrefs.rewrite(text, resolve))
        text = expand_star_except(text, engine_columns(self.spark.sql))
        if self.file_metadata:
            text = _INPUT_FILE_NAME.sub("_metadata.file_path", text)
        return self.spark.sql(text)

    def cleanup(self) -> None:
        for name in self._temp_views:
            with suppress(Exception):  # best effort: the session may already be gone
                self.spark.catalog.dropTempView(name)
        self._temp_views.clear()

    # -- helpers ------------------------------------------------------------------------------------

    def _temp_view(self, frame: DataFrame) -> str:
        name = f"{self._prefix}{len(self._temp_views)}"
        frame.createOrReplaceTempView(name)
        self._temp_views.append(name)
        return f"`{name}`"

    def _view(self, dataset: Dataset, context: FlowContext) -> DataFrame:
        if dataset.key in context.views:
            return context.views[dataset.key]
        flow = self.graph.flows_into(dataset.key)[0]
        assert flow.query is not None
        frame = flow.query()
        if dataset.expectations:
            frame, report = expectations.enforce(frame, dataset.expectations, dataset.name, flow.file)
            if report is not None:
                context.quality.extend(report)
        context.views[dataset.key] = frame
        return frame


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
