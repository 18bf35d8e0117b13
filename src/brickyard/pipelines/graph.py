"""The dataflow graph a pipeline's source declares: datasets, the flows that write them, expectations.

Registration (Python decorators, SQL statements) only records declarations; nothing is read or
computed until the graph is analysed. A dataset is keyed by its fully qualified, lower-cased name so
that `orders`, `LIVE.orders`, `schema.orders` and `catalog.schema.orders` are the same dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal

from brickyard.errors import PipelineError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

QueryFunction = Callable[[], "DataFrame"]
Action = Literal["warn", "drop", "fail"]


class DatasetKind(StrEnum):
    MATERIALIZED_VIEW = "MATERIALIZED_VIEW"
    STREAMING_TABLE = "STREAMING_TABLE"
    TABLE = "TABLE"
    """`@dlt.table`: a streaming table when its query reads a stream, a materialized view otherwise."""
    VIEW = "VIEW"


class FlowKind(StrEnum):
    QUERY = "QUERY"
    """The dataset's own defining query."""
    APPEND = "APPEND"
    CDC = "CDC"


@dataclass(frozen=True)
class Expectation:
    name: str
    constraint: str
    action: Action


@dataclass
class Dataset:
    name: str
    """As declared (`orders`, `sales.orders`): what events and errors show."""
    key: str
    """Fully qualified and lower-cased: the graph's identity for the dataset."""
    kind: DatasetKind
    file: str
    comment: str | None = None
    expectations: list[Expectation] = field(default_factory=list)
    temporary: bool = False
    """Materialized in storage but not published to the catalog (`temporary=True`, `private=True`)."""
    schema: Any = None
    """A declared schema (StructType or DDL string), used when there is no data to infer one from."""

    @property
    def is_view(self) -> bool:
        return self.kind is DatasetKind.VIEW


@dataclass(frozen=True)
class CdcSpec:
    """An AUTO CDC / APPLY CHANGES flow's settings (see `cdc.py` for their meaning)."""

    source: str
    keys: tuple[str, ...]
    sequence_by: Any
    """A column name, a SQL expression string, or a pyspark Column."""
    scd_type: int = 1
    where: Any = None
    ignore_null_updates: bool = False
    apply_as_deletes: Any = None
    column_list: tuple[str, ...] | None = None
    except_column_list: tuple[str, ...] | None = None
    track_history_column_list: tuple[str, ...] | None = None
    track_history_except_column_list: tuple[str, ...] | None = None


@dataclass
class Flow:
    name: str
    target: str
    """The target dataset's key."""
    kind: FlowKind
    file: str
    query: QueryFunction | None = None
    once: bool = False
    cdc: CdcSpec | None = None
    sql: str | None = None
    """The flow's query text, for SQL-defined flows (shown in flow_definition events)."""
    # Filled in by analysis:
    inputs: list[str] = field(default_factory=list)
    incremental: bool = False


@dataclass
class Graph:
    """Everything one pipeline's source declares, in declaration order."""

    datasets: dict[str, Dataset] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)

    def add_dataset(self, dataset: Dataset) -> None:
        existing = self.datasets.get(dataset.key)
        if existing is not None:
            raise PipelineError(
                f"dataset '{dataset.name}' is defined twice: in {existing.file} and in {dataset.file}",
                dataset=dataset.name,
                file=dataset.file,
            )
        self.datasets[dataset.key] = dataset

    def add_flow(self, flow: Flow) -> None:
        for other in self.flows:
            if other.name.lower() == flow.name.lower():
                raise PipelineError(
                    f"flow '{flow.name}' is defined twice: in {other.file} and in {flow.file}",
                    dataset=flow.name,
                    file=flow.file,
                )
        self.flows.append(flow)

    def flows_into(self, key: str) -> list[Flow]:
        return [flow for flow in self.flows if flow.target == key]

    def check_targets(self) -> None:
        """Every flow writes a declared dataset, and every table has at least one flow."""
        for flow in self.flows:
            target = self.datasets.get(flow.target)
            if target is None:
                raise PipelineError(
                    f"flow '{flow.name}' writes to '{flow.target}', which is not defined in the pipeline; "
                    "declare it with create_streaming_table() or CREATE STREAMING TABLE",
                    dataset=flow.name,
                    file=flow.file,
                )
            if flow.kind is not FlowKind.QUERY and target.kind not in (
                DatasetKind.STREAMING_TABLE,
                DatasetKind.TABLE,
            ):
                raise PipelineError(
                    f"flow '{flow.name}' writes to '{target.name}', which is a {target.kind.value.lower()}; "
                    "append and AUTO CDC flows need a streaming table as their target",
                    dataset=target.name,
                    file=flow.file,
                )
        for dataset in self.datasets.values():
            if not self.flows_into(dataset.key):
                raise PipelineError(
                    f"dataset '{dataset.name}' has no flow writing to it; give it a query, an append flow or "
                    "an AUTO CDC flow",
                    dataset=dataset.name,
                    file=dataset.file,
                )

    def order(self) -> list[Dataset]:
        """Datasets with every dataset after the ones its flows read (inputs come from analysis)."""
        done: dict[str, None] = {}
        visiting: list[str] = []

        def visit(key: str) -> None:
            if key in done:
                return
            if key in visiting:
                cycle = [*visiting[visiting.index(key) :], key]
                raise cycle_error(self, cycle)
            visiting.append(key)
            for flow in self.flows_into(key):
                for source in flow.inputs:
                    if source in self.datasets:
                        visit(source)
            visiting.pop()
            done[key] = None

        for key in self.datasets:
            visit(key)
        return [self.datasets[key] for key in done]

    def downstream(self, key: str) -> Iterator[str]:
        """Keys of the datasets that read `key`, directly or through other datasets."""
        seen: set[str] = set()
        frontier = [key]
        while frontier:
            current = frontier.pop()
            for flow in self.flows:
                if current in flow.inputs and flow.target not in seen:
                    seen.add(flow.target)
                    frontier.append(flow.target)
                    yield flow.target


def cycle_error(graph: Graph, cycle: list[str]) -> PipelineError:
    names = [graph.datasets[key].name if key in graph.datasets else key for key in cycle]
    first = graph.datasets.get(cycle[0])
    return PipelineError(
        "the pipeline's datasets form a cycle: " + " -> ".join(names),
        dataset=first.name if first else cycle[0],
        file=first.file if first else None,
    )
