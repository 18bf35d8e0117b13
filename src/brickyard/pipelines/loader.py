"""Loading pipeline source into a `Graph`: run the Python, parse the SQL, record what they declare.

Python files run once, top to bottom, with `spark` bound to the pipeline's session; their decorators
call back into the `Loader`. Query functions are only recorded here, never called. SQL files are
split into statements; `SET` changes the configuration seen by `${key}` in later statements.
"""

from __future__ import annotations

import builtins
import traceback
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from brickyard.errors import PipelineError
from brickyard.pipelines import active
from brickyard.pipelines.graph import (
    CdcSpec,
    Dataset,
    DatasetKind,
    Expectation,
    Flow,
    FlowKind,
    Graph,
    QueryFunction,
)
from brickyard.pipelines.names import Names
from brickyard.pipelines.sources import SourceUnit
from brickyard.pipelines.sqldefs import SqlCdc, SqlDataset, SqlFlow, SqlSet, parse_statement
from brickyard.pipelines.sqltokens import split_statements, substitute

if TYPE_CHECKING:
    from brickyard.pipelines.session import PipelineSession


class Loader:
    """Receives the declarations of one pipeline's source; `load` returns the resulting graph."""

    def __init__(self, names: Names, configuration: Mapping[str, str]) -> None:
        self.names = names
        self.configuration = dict(configuration)
        self.graph = Graph()
        self.file = "<pipeline>"

    def load(self, units: list[SourceUnit], spark: PipelineSession) -> Graph:
        with active.loading(self):
            for unit in units:
                self.file = unit.file
                if unit.language == "python":
                    self._run_python(unit, spark)
                else:
                    self._run_sql(unit)
        self.graph.check_targets()
        return self.graph

    def define_dataset(
        self,
        kind: DatasetKind,
        name: str,
        query: QueryFunction | None,
        *,
        expectations: list[Expectation],
        comment: str | None,
        temporary: bool,
        schema: Any,
        sql: str | None = None,
    ) -> Dataset:
        key = self.names.key(name)
        dataset = Dataset(
            name=name,
            key=key,
            kind=kind,
            file=self.file,
            comment=comment,
            expectations=expectations,
            temporary=temporary or kind is DatasetKind.VIEW,
            schema=schema,
        )
        self.graph.add_dataset(dataset)
        if query is not None:
            self.graph.add_flow(
                Flow(name=name, target=key, kind=FlowKind.QUERY, file=self.file, query=query, sql=sql)
            )
        return dataset

    def define_flow(
        self,
        kind: FlowKind,
        name: str,
        target: str,
        query: QueryFunction | None,
        *,
        once: bool = False,
        cdc: CdcSpec | None = None,
        sql: str | None = None,
    ) -> None:
        flow = Flow(
            name=name,
            target=self.names.key(target),
            kind=kind,
            file=self.file,
            query=query,
            once=once,
            cdc=cdc,
            sql=sql,
        )
        self.graph.add_flow(flow)

    def _run_python(self, unit: SourceUnit, spark: PipelineSession) -> None:
        try:
            code = compile(unit.text, unit.file, "exec")
        except SyntaxError as exc:
            raise PipelineError(
                f"{unit.file}:{exc.lineno}: syntax error: {exc.msg}", file=unit.file
            ) from None
        namespace: dict[str, Any] = {
            "__name__": "__main__",
            "__file__": unit.file,
            "__builtins__": builtins,
            "spark": spark,
        }
        if active.workspace_dbutils is not None:
            from brickyard.local.tasks.runtime import install_runtime_modules

            namespace["dbutils"] = active.workspace_dbutils
            install_runtime_modules(spark, active.workspace_dbutils)  # databricks.sdk.runtime imports
        try:
            exec(code, namespace)
        except PipelineError as exc:
            raise PipelineError(
                f"{_where(exc, unit.file)}{exc}", dataset=exc.dataset, file=unit.file
            ) from exc
        except Exception as exc:
            raise PipelineError(
                f"{_where(exc, unit.file)}{type(exc).__name__}: {exc}", file=unit.file
            ) from exc

    def _run_sql(self, unit: SourceUnit) -> None:
        for statement in split_statements(unit.text, unit.file):
            # `${key}` anywhere, names included (`${catalog}.silver.orders`), as the pipeline reads it
            text = substitute(statement.text, self.configuration)
            declaration = parse_statement(replace(statement, text=text), unit.file)
            if isinstance(declaration, SqlSet):
                self.configuration[declaration.key] = substitute(declaration.value, self.configuration)
            elif isinstance(declaration, SqlDataset):
                self._sql_dataset(declaration)
            elif isinstance(declaration, SqlFlow):
                query = substitute(declaration.query, self.configuration)
                self.define_flow(
                    FlowKind.APPEND,
                    declaration.name,
                    declaration.target,
                    _sql_query(query),
                    once=declaration.once,
                    sql=query,
                )
            else:
                self._sql_cdc(declaration)

    def _sql_dataset(self, declaration: SqlDataset) -> None:
        query = substitute(declaration.query, self.configuration) if declaration.query else None
        self.define_dataset(
            declaration.kind,
            declaration.name,
            _sql_query(query) if query else None,
            expectations=[
                Expectation(e.name, substitute(e.constraint, self.configuration), e.action)
                for e in declaration.expectations
            ],
            comment=declaration.comment,
            temporary=declaration.temporary,
            schema=None,
            sql=query,
        )

    def _sql_cdc(self, declaration: SqlCdc) -> None:
        if declaration.apply_as_truncates:
            raise PipelineError(
                f"{self.file}: APPLY AS TRUNCATE WHEN is not supported by the local executor", file=self.file
            )

        def values(columns: list[str] | None) -> tuple[str, ...] | None:
            return tuple(columns) if columns is not None else None

        spec = CdcSpec(
            source=declaration.source,
            keys=tuple(declaration.keys),
            sequence_by=substitute(declaration.sequence_by, self.configuration),
            scd_type=declaration.scd_type,
            ignore_null_updates=declaration.ignore_null_updates,
            apply_as_deletes=substitute(declaration.apply_as_deletes, self.configuration)
            if declaration.apply_as_deletes
            else None,
            column_list=values(declaration.column_list),
            except_column_list=values(declaration.except_column_list),
            track_history_column_list=values(declaration.track_history_column_list),
            track_history_except_column_list=values(declaration.track_history_except_column_list),
        )
        target = declaration.target
        name = declaration.name or self.names.key(target).split(".")[-1]
        self.define_flow(FlowKind.CDC, name, target, None, cdc=spec)


def _sql_query(text: str) -> QueryFunction:
    def query() -> Any:
        return active.runtime("a SQL query").sql(text)

    return query


def _where(exc: BaseException, file: str) -> str:
    """`file:line: ` of the innermost frame of the traceback that is in `file`."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == file:
            line = frame.lineno
    return f"{file}:{line}: " if line else f"{file}: "
