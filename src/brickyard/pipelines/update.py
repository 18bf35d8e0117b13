"""One pipeline update, start to finish: `run_update(spark, spec, options, sink) -> UpdateResult`.

The phases follow a Databricks update and each is announced in the event log: INITIALIZING (load the
source into a graph), SETTING_UP_TABLES (analyse every flow: inputs, schema, cycles, unknown
names; a validate-only update stops here), RUNNING (flows in dependency order), then COMPLETED,
FAILED or CANCELED. A failing flow fails the update but not the flows that do not depend on it;
those that do are SKIPPED, and every table keeps its last committed version.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brickyard import filemeta
from brickyard.errors import PipelineError
from brickyard.pipelines import active
from brickyard.pipelines.checkpoints import Storage
from brickyard.pipelines.environment import pipeline_environment
from brickyard.pipelines.events import EventLog, EventSink, ListSink
from brickyard.pipelines.executor import FlowRunner
from brickyard.pipelines.graph import Dataset, DatasetKind, Flow, FlowKind, Graph
from brickyard.pipelines.loader import Loader
from brickyard.pipelines.names import Names
from brickyard.pipelines.runtime import Runtime
from brickyard.pipelines.sources import load_libraries
from brickyard.pipelines.spec import FlowResult, PipelineSpec, UpdateOptions, UpdateResult
from brickyard.pipelines.tables import Tables

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


class UpdateCanceled(BaseException):
    """Raised (by a signal handler) to stop an update; not an Exception, so user code cannot swallow it."""


def run_update(
    spark: SparkSession,
    spec: PipelineSpec,
    options: UpdateOptions | None = None,
    sink: EventSink | None = None,
) -> UpdateResult:
    """Run one update of `spec` on `spark` and report it to `sink` as event-log events.

    Never raises for a failing pipeline: the result says FAILED and names the dataset and file (call
    `raise_for_state()` to turn that into a `PipelineError`).
    """
    options = options or UpdateOptions()
    log = EventLog(sink or ListSink(), spec.id, spec.name, options.update_id)
    result = UpdateResult(update_id=options.update_id, pipeline_id=spec.id, state="COMPLETED")
    started = time.monotonic()
    log.emit(
        "create_update",
        f"Update {options.update_id[:6]} started by {options.cause}.",
        _create_details(spec, options),
    )
    log.update_progress("INITIALIZING")
    failure: BaseException | None = None
    try:
        _Update(spark, spec, options, log, result).run()
    except PipelineError as exc:
        failure = exc
        result.state = "FAILED"
        result.error, result.error_dataset, result.error_file = str(exc), exc.dataset, exc.file
    except UpdateCanceled:
        result.state = "CANCELED"
        result.error = "the update was canceled"
    except Exception as exc:
        failure = exc
        result.state = "FAILED"
        result.error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    if result.state == "COMPLETED" and any(f.status == "FAILED" for f in result.flows.values()):
        result.state = "FAILED"
    result.duration_seconds = round(time.monotonic() - started, 3)
    log.update_progress(result.state, error=failure)
    return result


class _Update:
    def __init__(
        self,
        spark: SparkSession,
        spec: PipelineSpec,
        options: UpdateOptions,
        log: EventLog,
        result: UpdateResult,
    ) -> None:
        self.spark = spark
        self.spec = spec
        self.options = options
        self.log = log
        self.result = result
        self.names = Names(spec.catalog, spec.schema)
        self.storage = Storage(Path(spec.storage))

    def run(self) -> None:
        if self.options.validate_only:
            self._run()
            return
        with self.storage.update_lock(self.options.update_id):
            self._run()

    def _run(self) -> None:
        units = load_libraries(self.spec.libraries)
        for unit in units:
            for note in unit.skipped:
                self.log.emit("planning_information", note, {"notice": note}, level="WARN")
        catalogs = _catalogs(self.spark)
        if self.names.target is not None:
            _check_catalog(self.names.target[0], catalogs, "the pipeline's catalog")
        reads_file_metadata = any(filemeta.METADATA_USE.search(unit.text) for unit in units) or (
            filemeta.code_reads_metadata([Path(unit.file) for unit in units])
        )
        if reads_file_metadata:
            filemeta.input_file_name_reads_metadata()
        with pipeline_environment(
            self.spark, self.spec, units, create_schema=not self.options.validate_only
        ) as session:
            loader = Loader(self.names, self.spec.configuration)
            graph = loader.load(units, session)
            if not graph.datasets:
                raise PipelineError(
                    "[NO_TABLES_IN_PIPELINE] No tables are defined by the libraries of this pipeline: "
                    f"its {len(units)} source file(s) define no dataset. Check that the libraries name "
                    "the right files or folders, and that each notebook starts with its header."
                )
            for dataset in graph.datasets.values():
                parts = dataset.key.split(".")
                if not dataset.temporary and not dataset.is_view and len(parts) == 3:
                    _check_catalog(parts[0], catalogs, f"dataset '{dataset.name}'", dataset)
            runtime = Runtime(self.spark, graph, self.names, self.storage, self.spec.storage_root)
            runtime.file_metadata = reads_file_metadata
            try:
                with active.running(runtime):
                    self.log.update_progress("SETTING_UP_TABLES")
                    runtime.analyse()
                    self._definitions(graph, runtime)
                    if self.options.validate_only:
                        return
                    runtime.mode = "execution"
                    self.log.update_progress("RUNNING")
                    self._execute(graph, runtime)
            finally:
                runtime.cleanup()

    def _definitions(self, graph: Graph, runtime: Runtime) -> None:
        for dataset in graph.datasets.values():
            flows = graph.flows_into(dataset.key)
            kind = _dataset_type(dataset, flows)
            self.log.emit(
                "dataset_definition",
                f"Dataset '{dataset.name}' is defined as a {kind}.",
                {
                    "dataset_type": kind,
                    "num_flows": len(flows),
                    "expectations": [
                        {"name": e.name, "constraint": e.constraint, "action": e.action.upper()}
                        for e in dataset.expectations
                    ],
                    "published": not dataset.temporary and self.names.target is not None,
                },
                dataset=dataset.name,
                maturity="EVOLVING",
            )
        for flow in graph.flows:
            target = graph.datasets[flow.target]
            schema = runtime.flow_frame(flow).schema
            self.log.emit(
                "flow_definition",
                f"Flow '{flow.name}' is defined as {_flow_type(flow)}.",
                {
                    "output_dataset": target.name,
                    "input_datasets": [graph.datasets[key].name for key in flow.inputs],
                    "flow_type": _flow_type(flow),
                    "once": flow.once,
                    "schema": [
                        {"name": f.name, "data_type": f.dataType.simpleString(), "nullable": f.nullable}
                        for f in schema.fields
                    ],
                    "schema_json": schema.json(),
                    **({"sql": flow.sql} if flow.sql else {}),
                },
                flow=flow.name,
                dataset=target.name,
                maturity="EVOLVING",
            )

    def _selection(self, graph: Graph) -> tuple[set[str], set[str]]:
        """(datasets to update, datasets to fully refresh), as keys."""
        everything = {key for key, d in graph.datasets.items() if not d.is_view}

        def keys(names: tuple[str, ...], what: str) -> set[str]:
            found = set()
            for name in names:
                key = self.names.key(name)
                if key not in graph.datasets:
                    raise PipelineError(
                        f"{what} names '{name}', which is not a dataset of this pipeline", dataset=name
                    )
                found.add(key)
            return found

        refresh = keys(self.options.refresh_selection, "refresh_selection")
        full = keys(self.options.full_refresh_selection, "full_refresh_selection")
        if self.options.full_refresh:
            return everything, everything
        if refresh or full:
            return (refresh | full) & everything, full
        return everything, set()

    def _execute(self, graph: Graph, runtime: Runtime) -> None:
        selected, full = self._selection(graph)
        order = [d for d in graph.order() if not d.is_view]
        runner = FlowRunner(self.spark, runtime, self.storage, Tables(self.spark, self.storage, self.names))
        planned = [(d, f) for d in order for f in graph.flows_into(d.key)]
        for dataset, flow in planned:
            if dataset.key in selected:
                self.log.flow_progress(flow.name, dataset.name, "QUEUED")
        skipped: set[str] = set()
        for dataset, flow in planned:
            if dataset.key not in selected:
                self._finish(FlowResult(flow.name, dataset.name, "EXCLUDED"))
                continue
            if dataset.key in skipped:
                self._finish(FlowResult(flow.name, dataset.name, "SKIPPED"))
                continue
            self.log.flow_progress(flow.name, dataset.name, "RUNNING")
            try:
                outcome = runner.run(flow, dataset, reset=dataset.key in full)
            except UpdateCanceled:
                self.log.flow_progress(flow.name, dataset.name, "STOPPED")
                raise
            except Exception as exc:
                error = exc if isinstance(exc, PipelineError) else _flow_error(flow, dataset, exc)
                self._fail(flow, dataset, error, error.file or flow.file)
                # Flows are independent: only what reads this dataset is skipped.
                skipped.update(graph.downstream(dataset.key))
                continue
            self._finish(outcome)

    def _finish(self, outcome: FlowResult) -> None:
        self.result.flows[outcome.name] = outcome
        metrics: dict[str, int] | None = None
        quality: dict[str, Any] | None = None
        if outcome.status == "COMPLETED":
            metrics = {"num_output_rows": outcome.num_output_rows}
            if outcome.num_upserted_rows or outcome.num_deleted_rows:
                metrics["num_upserted_rows"] = outcome.num_upserted_rows
                metrics["num_deleted_rows"] = outcome.num_deleted_rows
            if outcome.expectations:
                quality = {"dropped_records": outcome.dropped_records, "expectations": outcome.expectations}
        self.log.flow_progress(
            outcome.name, outcome.dataset, outcome.status, metrics=metrics, data_quality=quality
        )

    def _fail(self, flow: Flow, dataset: Dataset, error: PipelineError, file: str) -> None:
        self.result.flows[flow.name] = FlowResult(flow.name, dataset.name, "FAILED", error=str(error))
        if self.result.error is None:
            self.result.error = str(error)
            self.result.error_dataset = error.dataset or dataset.name
            self.result.error_file = file
        self.log.flow_progress(flow.name, dataset.name, "FAILED", error=error)


def _catalogs(spark: SparkSession) -> set[str] | None:
    """The catalogs the engine has (the workspace's, on the local workspace); None if it cannot say."""
    try:
        return {str(c.name).lower() for c in spark.catalog.listCatalogs()}
    except Exception:
        return None


def _check_catalog(
    catalog: str, catalogs: set[str] | None, what: str, dataset: Dataset | None = None
) -> None:
    """Publishing into a catalog that does not exist fails the update, as on Databricks (an update
    creates missing schemas, never catalogs), rather than writing rows nobody can read."""
    if catalogs is None or catalog.lower() in catalogs:
        return
    raise PipelineError(
        f"Catalog '{catalog}' of {what} does not exist; create it first, or publish to one of "
        f"{', '.join(sorted(catalogs))}",
        dataset=dataset.name if dataset else None,
        file=dataset.file if dataset else None,
    )


def _create_details(spec: PipelineSpec, options: UpdateOptions) -> dict[str, Any]:
    return {
        "cause": options.cause,
        "full_refresh": options.full_refresh,
        "full_refresh_selection": list(options.full_refresh_selection),
        "refresh_selection": list(options.refresh_selection),
        "validate_only": options.validate_only,
        "config": {
            "id": spec.id,
            "name": spec.name,
            "catalog": spec.catalog,
            "schema": spec.schema,
            "development": spec.development,
            "configuration": dict(spec.configuration),
            "storage": spec.storage,
            "libraries": [{lib.kind: {"path": lib.path}} for lib in spec.libraries],
        },
    }


def _dataset_type(dataset: Dataset, flows: list[Flow]) -> str:
    if dataset.is_view:
        return "VIEW"
    if dataset.kind is DatasetKind.STREAMING_TABLE or any(f.incremental for f in flows):
        return "STREAMING_TABLE"
    return "MATERIALIZED_VIEW"


def _flow_type(flow: Flow) -> str:
    if flow.kind is FlowKind.CDC:
        return "CHANGE"
    if flow.kind is FlowKind.APPEND:
        return "APPEND"
    return "INCREMENTAL" if flow.incremental else "COMPLETE"


def _flow_error(flow: Flow, dataset: Dataset, exc: Exception) -> PipelineError:
    error = PipelineError(
        f"flow '{flow.name}' failed: {_first_line(exc)}", dataset=dataset.name, file=flow.file
    )
    error.__cause__ = exc
    return error


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
