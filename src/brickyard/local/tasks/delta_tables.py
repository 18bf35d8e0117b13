"""`from delta.tables import DeltaTable` in tasks: the Delta Lake Python API over the engine's SQL.

Databricks runtimes ship `delta` (delta-spark), and notebooks use its `DeltaTable` for upserts
(`merge`), updates and deletes. delta-spark's Spark Connect client sends Delta's own protocol
messages, which the local engine (Sail) does not know; it does run `MERGE INTO`, `UPDATE` and
`DELETE FROM` on Delta tables. So this module stands in for `delta.tables`: each operation becomes
that statement, with the merge source registered as a temporary view under the name its alias
gives (`updates.alias("s")` → `USING … AS s`). Conditions and values are SQL text or columns
(`F.col("t.id") == F.col("s.id")`, `F.lit(…)`, `F.expr(…)`, functions and operators of them).

`optimize()`, `vacuum()` and `generate()` change no rows and do nothing here; `history()` is
`DESCRIBE HISTORY`, read from the table's Delta log (`delta_history`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

_INFIX = {
    "==": "=",
    "<=>": "<=>",
    "!=": "!=",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
    "and": "AND",
    "or": "OR",
    "+": "+",
    "-": "-",
    "*": "*",
    "/": "/",
    "%": "%",
}


def sql_of(value: Any) -> str:
    """SQL text of a condition or value: a string as written, a column as the engine would read it."""
    if isinstance(value, str):
        return value
    expression = getattr(value, "_expr", None)
    if expression is None:
        from brickyard.local.tasks.sqlrewrite import literal

        return literal(value)
    return _expression(expression)


def _expression(expr: Any) -> str:
    from pyspark.sql.connect import expressions as e

    if isinstance(expr, e.SQLExpression):
        return f"({expr._expr})"
    if isinstance(expr, e.ColumnReference):
        return str(expr._unparsed_identifier)
    if isinstance(expr, e.LiteralExpression):
        from brickyard.local.tasks.sqlrewrite import literal

        return "NULL" if expr._value is None else literal(expr._value)
    if isinstance(expr, e.ColumnAlias):
        return _expression(expr._child)
    if isinstance(expr, e.CastExpression):
        target = expr._data_type if isinstance(expr._data_type, str) else expr._data_type.simpleString()
        return f"CAST({_expression(expr._expr)} AS {target})"
    if isinstance(expr, e.UnresolvedFunction):
        args = [_expression(a) for a in expr._args]
        name = expr._name
        if name in _INFIX and len(args) == 2:
            return f"({args[0]} {_INFIX[name]} {args[1]})"
        if name == "not" and len(args) == 1:
            return f"(NOT {args[0]})"
        if name in ("isNull", "isnull") and len(args) == 1:
            return f"({args[0]} IS NULL)"
        if name in ("isNotNull", "isnotnull") and len(args) == 1:
            return f"({args[0]} IS NOT NULL)"
        return f"{name}({'DISTINCT ' if expr._is_distinct else ''}{', '.join(args)})"
    raise TypeError(
        f"this column expression cannot be used in a DeltaTable operation on the local workspace: "
        f'{expr!r}; write the condition as SQL text instead ("t.id = s.id")'
    )


def _assignments(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{column} = {sql_of(value)}" for column, value in values.items())


class DeltaTable:
    """A Delta table by name or path, as delta-spark's `DeltaTable` is used in notebooks."""

    def __init__(self, spark: Any, identifier: str, alias: str | None = None) -> None:
        self._spark = spark
        self._identifier = identifier
        self._alias = alias

    # ---- finding tables ---------------------------------------------------------------------------

    @classmethod
    def forName(cls, sparkSession: Any, tableOrViewName: str) -> DeltaTable:
        sparkSession.table(tableOrViewName).schema  # noqa: B018 (fails as delta-spark does when missing)
        return cls(sparkSession, tableOrViewName)

    @classmethod
    def forPath(cls, sparkSession: Any, path: str, hadoopConf: Any = None) -> DeltaTable:
        if not cls.isDeltaTable(sparkSession, path):
            from pyspark.errors import AnalysisException

            raise AnalysisException(f"[DELTA_MISSING_DELTA_TABLE] `{path}` is not a Delta table.")
        return cls(sparkSession, f"delta.`{path}`")

    @classmethod
    def isDeltaTable(cls, sparkSession: Any, identifier: str) -> bool:
        try:
            sparkSession.read.format("delta").load(identifier).schema  # noqa: B018
        except Exception:  # not there, or not Delta: what delta-spark answers False for
            return False
        return True

    # ---- reading ----------------------------------------------------------------------------------

    def toDF(self) -> Any:
        frame = self._spark.sql(f"SELECT * FROM {self._identifier}")
        return frame.alias(self._alias) if self._alias else frame

    def alias(self, aliasName: str) -> DeltaTable:
        return DeltaTable(self._spark, self._identifier, aliasName)

    # ---- changing rows ----------------------------------------------------------------------------

    def delete(self, condition: Any = None) -> None:
        where = f" WHERE {sql_of(condition)}" if condition is not None else ""
        self._run(f"DELETE FROM {self._target()}{where}")

    def update(self, condition: Any = None, set: Mapping[str, Any] | None = None) -> None:
        if not set:
            raise ValueError("DeltaTable.update needs set={column: value}")
        where = f" WHERE {sql_of(condition)}" if condition is not None else ""
        self._run(f"UPDATE {self._target()} SET {_assignments(set)}{where}")

    def merge(self, source: Any, condition: Any) -> DeltaMergeBuilder:
        return DeltaMergeBuilder(self, source, sql_of(condition))

    # ---- maintenance ------------------------------------------------------------------------------

    def optimize(self) -> DeltaOptimizeBuilder:
        return DeltaOptimizeBuilder(self._spark, self._identifier)

    def vacuum(self, retentionHours: float | None = None) -> Any:
        return self._spark.sql(f"VACUUM {self._identifier}")  # no effect: `unity_sql.NO_EFFECT`

    def generate(self, mode: str) -> None:
        return None

    def history(self, limit: int | None = None) -> Any:
        return self._spark.sql(
            f"DESCRIBE HISTORY {self._identifier}" + (f" LIMIT {int(limit)}" if limit else "")
        )

    def detail(self) -> Any:
        raise NotImplementedError(
            "DeltaTable.detail needs DESCRIBE DETAIL, which the local engine does not have"
        )

    def _target(self) -> str:
        return f"{self._identifier} AS {self._alias}" if self._alias else self._identifier

    def _run(self, statement: str) -> Any:
        return self._spark.sql(statement).collect()


class DeltaOptimizeBuilder:
    """File compaction changes no rows: nothing to do on the local engine."""

    def __init__(self, spark: Any, identifier: str) -> None:
        self._spark = spark
        self._identifier = identifier

    def where(self, partitionFilter: str) -> DeltaOptimizeBuilder:
        return self

    def executeCompaction(self) -> Any:
        return self._spark.sql(f"OPTIMIZE {self._identifier}")  # no effect: `unity_sql.NO_EFFECT`

    def executeZOrderBy(self, *cols: Any) -> Any:
        return self.executeCompaction()


class DeltaMergeBuilder:
    """`MERGE INTO` built clause by clause, run by `execute()`."""

    def __init__(self, table: DeltaTable, source: Any, condition: str) -> None:
        self._table = table
        self._source = source
        self._condition = condition
        self._clauses: list[str] = []

    def _when(self, head: str, condition: Any, action: str) -> DeltaMergeBuilder:
        extra = f" AND {sql_of(condition)}" if condition is not None else ""
        self._clauses.append(f"WHEN {head}{extra} THEN {action}")
        return self

    def whenMatchedUpdate(
        self, condition: Any = None, set: Mapping[str, Any] | None = None
    ) -> DeltaMergeBuilder:
        return self._when("MATCHED", condition, f"UPDATE SET {_assignments(set or {})}")

    def whenMatchedUpdateAll(self, condition: Any = None) -> DeltaMergeBuilder:
        return self._when("MATCHED", condition, "UPDATE SET *")

    def whenMatchedDelete(self, condition: Any = None) -> DeltaMergeBuilder:
        return self._when("MATCHED", condition, "DELETE")

    def whenNotMatchedInsert(
        self, condition: Any = None, values: Mapping[str, Any] | None = None
    ) -> DeltaMergeBuilder:
        columns = ", ".join(values or {})
        inserted = ", ".join(sql_of(v) for v in (values or {}).values())
        return self._when("NOT MATCHED", condition, f"INSERT ({columns}) VALUES ({inserted})")

    def whenNotMatchedInsertAll(self, condition: Any = None) -> DeltaMergeBuilder:
        return self._when("NOT MATCHED", condition, "INSERT *")

    def whenNotMatchedBySourceUpdate(
        self,
        condition: Any = None,
        set: Mapping[str, Any] | None = None,
    ) -> DeltaMergeBuilder:
        return self._when("NOT MATCHED BY SOURCE", condition, f"UPDATE SET {_assignments(set or {})}")

    def whenNotMatchedBySourceDelete(self, condition: Any = None) -> DeltaMergeBuilder:
        return self._when("NOT MATCHED BY SOURCE", condition, "DELETE")

    def withSchemaEvolution(self) -> DeltaMergeBuilder:
        return self

    def execute(self) -> Any:
        if not self._clauses:
            raise ValueError("a merge needs at least one whenMatched… or whenNotMatched… clause")
        spark = self._table._spark
        plan = getattr(self._source, "_plan", None)
        alias = getattr(plan, "_alias", None) or "source"
        view = f"brickyard_merge_source_{uuid.uuid4().hex[:12]}"
        self._source.createOrReplaceTempView(view)
        try:
            statement = (
                f"MERGE INTO {self._table._target()} USING {view} AS {alias} ON {self._condition} "
                + " ".join(self._clauses)
            )
            return spark.sql(statement).collect()
        finally:
            spark.catalog.dropTempView(view)


def configure_spark_with_delta_pip(spark_session_builder: Any, extra_packages: Any = None) -> Any:
    """delta-spark's helper for a local JVM session: the task's session has Delta already."""
    return spark_session_builder
