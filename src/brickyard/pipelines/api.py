"""The Python surface of pipeline source: what `import dlt` and `from pyspark import pipelines as dp`
give user code while brickyard runs a pipeline.

Both names expose the same functions, covering the classic `dlt` API (`table`, `view`, `read`,
`read_stream`, `apply_changes`, `create_streaming_table`, `append_flow`, `expect*`) and the newer
`dp` one (`materialized_view`, `temporary_view`, `create_auto_cdc_flow`). Declarations go to the
active loader; reads go to the active runtime (see `active.py`). Arguments that only matter on a
Databricks cluster (`table_properties`, `partition_cols`, `cluster_by`, `spark_conf`, `path`,
`row_filter`) are accepted and ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from brickyard.errors import PipelineError
from brickyard.pipelines import active
from brickyard.pipelines.graph import Action, CdcSpec, DatasetKind, Expectation, FlowKind

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

QueryFunction = Callable[[], "DataFrame"]
_EXPECTATIONS = "__brickyard_expectations__"


def _expectations_of(function: Callable[..., Any]) -> list[Expectation]:
    """The list expectation decorators append to; shared with the dataset, so order does not matter."""
    found = function.__dict__.get(_EXPECTATIONS)
    if found is None:
        found = []
        function.__dict__[_EXPECTATIONS] = found
    return found


def _dataset(
    kind: DatasetKind,
    query_function: QueryFunction | None,
    *,
    name: str | None,
    comment: str | None,
    temporary: bool,
    schema: Any,
) -> Any:
    what = "@" + kind.value.lower()

    def decorate(function: QueryFunction) -> QueryFunction:
        if not callable(function):
            raise PipelineError(f"{what} decorates a function that returns a DataFrame")
        active.loader(what).define_dataset(
            kind,
            name or function.__name__,
            function,
            expectations=_expectations_of(function),
            comment=comment,
            temporary=temporary,
            schema=schema,
        )
        return function

    return decorate(query_function) if query_function is not None else decorate


def table(
    query_function: QueryFunction | None = None,
    *,
    name: str | None = None,
    comment: str | None = None,
    spark_conf: Mapping[str, str] | None = None,
    table_properties: Mapping[str, str] | None = None,
    path: str | None = None,
    partition_cols: Sequence[str] | None = None,
    cluster_by: Sequence[str] | None = None,
    cluster_by_auto: bool | None = None,
    schema: Any = None,
    temporary: bool = False,
    private: bool = False,
    row_filter: str | None = None,
    format: str | None = None,
    refresh_policy: str | None = None,
) -> Any:
    """A table: a streaming table when its query reads a stream, a materialized view otherwise."""
    return _dataset(
        DatasetKind.TABLE,
        query_function,
        name=name,
        comment=comment,
        temporary=temporary or private,
        schema=schema,
    )


def materialized_view(
    query_function: QueryFunction | None = None,
    *,
    name: str | None = None,
    comment: str | None = None,
    spark_conf: Mapping[str, str] | None = None,
    table_properties: Mapping[str, str] | None = None,
    path: str | None = None,
    partition_cols: Sequence[str] | None = None,
    cluster_by: Sequence[str] | None = None,
    cluster_by_auto: bool | None = None,
    schema: Any = None,
    temporary: bool = False,
    private: bool = False,
    row_filter: str | None = None,
    format: str | None = None,
    refresh_policy: str | None = None,
) -> Any:
    return _dataset(
        DatasetKind.MATERIALIZED_VIEW,
        query_function,
        name=name,
        comment=comment,
        temporary=temporary or private,
        schema=schema,
    )


def view(
    query_function: QueryFunction | None = None,
    *,
    name: str | None = None,
    comment: str | None = None,
    spark_conf: Mapping[str, str] | None = None,
) -> Any:
    """A view: computed by the flows that read it, never stored."""
    return _dataset(DatasetKind.VIEW, query_function, name=name, comment=comment, temporary=True, schema=None)


temporary_view = view


def create_streaming_table(
    name: str,
    comment: str | None = None,
    spark_conf: Mapping[str, str] | None = None,
    table_properties: Mapping[str, str] | None = None,
    partition_cols: Sequence[str] | None = None,
    cluster_by: Sequence[str] | None = None,
    cluster_by_auto: bool | None = None,
    path: str | None = None,
    schema: Any = None,
    expect_all: Mapping[str, str] | None = None,
    expect_all_or_drop: Mapping[str, str] | None = None,
    expect_all_or_fail: Mapping[str, str] | None = None,
    row_filter: str | None = None,
    format: str | None = None,
    private: bool = False,
) -> None:
    """A streaming table written by append flows or an AUTO CDC flow rather than its own query."""
    expectations = [
        *_expectation_list(expect_all, "warn"),
        *_expectation_list(expect_all_or_drop, "drop"),
        *_expectation_list(expect_all_or_fail, "fail"),
    ]
    active.loader("create_streaming_table()").define_dataset(
        DatasetKind.STREAMING_TABLE,
        name,
        None,
        expectations=expectations,
        comment=comment,
        temporary=private,
        schema=schema,
    )


create_streaming_live_table = create_streaming_table
create_target_table = create_streaming_table


def append_flow(
    target: str,
    name: str | None = None,
    spark_conf: Mapping[str, str] | None = None,
    comment: str | None = None,
    once: bool = False,
) -> Callable[[QueryFunction], QueryFunction]:
    """A flow appending its query's rows to `target`; `once=True` runs it in one update only."""

    def decorate(function: QueryFunction) -> QueryFunction:
        active.loader("@append_flow").define_flow(
            FlowKind.APPEND, name or function.__name__, target, function, once=once
        )
        return function

    return decorate


def create_auto_cdc_flow(
    target: str,
    source: str,
    keys: Sequence[Any],
    sequence_by: Any,
    where: Any = None,
    ignore_null_updates: bool = False,
    apply_as_deletes: Any = None,
    apply_as_truncates: Any = None,
    column_list: Sequence[Any] | None = None,
    except_column_list: Sequence[Any] | None = None,
    stored_as_scd_type: int | str = 1,
    track_history_column_list: Sequence[Any] | None = None,
    track_history_except_column_list: Sequence[Any] | None = None,
    name: str | None = None,
    once: bool = False,
    ignore_null_updates_column_list: Sequence[Any] | None = None,
    ignore_null_updates_except_column_list: Sequence[Any] | None = None,
) -> None:
    """Apply a change feed to `target` as SCD type 1 (latest row per key) or 2 (full history)."""
    if apply_as_truncates is not None:
        raise PipelineError(
            f"AUTO CDC into '{target}': apply_as_truncates is not supported by the local executor"
        )
    if str(stored_as_scd_type) not in ("1", "2"):
        raise PipelineError(f"AUTO CDC into '{target}': stored_as_scd_type must be 1 or 2")
    spec = CdcSpec(
        source=source,
        keys=tuple(_column_name(k) for k in keys),
        sequence_by=sequence_by,
        scd_type=int(stored_as_scd_type),
        where=where,
        ignore_null_updates=ignore_null_updates,
        apply_as_deletes=apply_as_deletes,
        column_list=_names(column_list),
        except_column_list=_names(except_column_list),
        track_history_column_list=_names(track_history_column_list),
        track_history_except_column_list=_names(track_history_except_column_list),
    )
    active.loader("create_auto_cdc_flow()").define_flow(
        FlowKind.CDC, name or target, target, None, once=once, cdc=spec
    )


def apply_changes(
    target: str,
    source: str,
    keys: Sequence[Any],
    sequence_by: Any,
    where: Any = None,
    ignore_null_updates: bool = False,
    apply_as_deletes: Any = None,
    apply_as_truncates: Any = None,
    column_list: Sequence[Any] | None = None,
    except_column_list: Sequence[Any] | None = None,
    stored_as_scd_type: int | str = 1,
    track_history_column_list: Sequence[Any] | None = None,
    track_history_except_column_list: Sequence[Any] | None = None,
    flow_name: str | None = None,
    once: bool = False,
    ignore_null_updates_column_list: Sequence[Any] | None = None,
    ignore_null_updates_except_column_list: Sequence[Any] | None = None,
) -> None:
    create_auto_cdc_flow(
        target,
        source,
        keys,
        sequence_by,
        where=where,
        ignore_null_updates=ignore_null_updates,
        apply_as_deletes=apply_as_deletes,
        apply_as_truncates=apply_as_truncates,
        column_list=column_list,
        except_column_list=except_column_list,
        stored_as_scd_type=stored_as_scd_type,
        track_history_column_list=track_history_column_list,
        track_history_except_column_list=track_history_except_column_list,
        name=flow_name,
        once=once,
    )


def _unsupported(what: str) -> Callable[..., None]:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PipelineError(
            f"{what} is not supported by the local pipeline executor; it needs a Databricks workspace"
        )

    return refuse


apply_changes_from_snapshot = _unsupported("apply_changes_from_snapshot()")
create_auto_cdc_from_snapshot_flow = _unsupported("create_auto_cdc_from_snapshot_flow()")
create_sink = _unsupported("create_sink()")


def read(name: str) -> DataFrame:
    """All rows of a dataset of this pipeline."""
    return active.runtime("dlt.read()").read(name, stream=False, strict=True)


def read_stream(name: str) -> DataFrame:
    """The rows of a dataset of this pipeline that this flow has not processed yet."""
    return active.runtime("dlt.read_stream()").read(name, stream=True, strict=True)


def _expect(action: Action, pairs: Mapping[str, str]) -> Callable[[QueryFunction], QueryFunction]:
    def decorate(function: QueryFunction) -> QueryFunction:
        # Decorators apply bottom-up; inserting at the front keeps the order they are written in.
        _expectations_of(function)[0:0] = _expectation_list(pairs, action)
        return function

    return decorate


def expect(description: str, constraint: str) -> Callable[[QueryFunction], QueryFunction]:
    """Count rows failing `constraint`; keep them."""
    return _expect("warn", {description: constraint})


def expect_or_drop(description: str, constraint: str) -> Callable[[QueryFunction], QueryFunction]:
    """Count and drop rows failing `constraint` (a constraint that is NULL fails)."""
    return _expect("drop", {description: constraint})


def expect_or_fail(description: str, constraint: str) -> Callable[[QueryFunction], QueryFunction]:
    """Fail the flow, before it writes anything, when a row fails `constraint`."""
    return _expect("fail", {description: constraint})


def expect_all(expectations: Mapping[str, str]) -> Callable[[QueryFunction], QueryFunction]:
    return _expect("warn", expectations)


def expect_all_or_drop(expectations: Mapping[str, str]) -> Callable[[QueryFunction], QueryFunction]:
    return _expect("drop", expectations)


def expect_all_or_fail(expectations: Mapping[str, str]) -> Callable[[QueryFunction], QueryFunction]:
    return _expect("fail", expectations)


def _expectation_list(pairs: Mapping[str, str] | None, action: Action) -> list[Expectation]:
    if not pairs:
        return []
    if not isinstance(pairs, Mapping):
        raise PipelineError("expect_all* takes a dict of {name: constraint}")
    return [Expectation(str(name), str(constraint), action) for name, constraint in pairs.items()]


def _column_name(column: Any) -> str:
    if isinstance(column, str):
        return column
    text = str(column)  # a pyspark Column prints as Column<'name'>
    if text.startswith("Column<'") and text.endswith("'>"):
        return text[len("Column<'") : -2]
    raise PipelineError(f"expected a column name, got {column!r}")


def _names(columns: Sequence[Any] | None) -> tuple[str, ...] | None:
    return None if columns is None else tuple(_column_name(c) for c in columns)


PUBLIC_NAMES = (
    "table",
    "materialized_view",
    "view",
    "temporary_view",
    "create_streaming_table",
    "create_streaming_live_table",
    "create_target_table",
    "append_flow",
    "apply_changes",
    "create_auto_cdc_flow",
    "apply_changes_from_snapshot",
    "create_auto_cdc_from_snapshot_flow",
    "create_sink",
    "read",
    "read_stream",
    "expect",
    "expect_or_drop",
    "expect_or_fail",
    "expect_all",
    "expect_all_or_drop",
    "expect_all_or_fail",
)
