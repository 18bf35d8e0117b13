"""AUTO CDC / APPLY CHANGES: applying a change feed to a streaming table as SCD type 1 or 2.

Changes may arrive out of order; `sequence_by` decides. Like Databricks, the target is backed by
hidden state (`__apply_changes_storage_<target>`, kept in pipeline storage, not published):

* SCD 1 keeps, per key, the sequence of the last change applied and whether it was a delete. A
  change older than that is ignored, so a late update cannot resurrect a deleted row.
* SCD 2 keeps every delete as a tombstone. For each key touched by a batch, the key's history is
  rebuilt from its stored versions, its tombstones and the new changes, in sequence order: every
  upsert that changes a tracked column opens a version, and each version ends where the next
  change (upsert or delete) starts. `__START_AT` / `__END_AT` carry the sequence values.

Each batch is first staged as a Delta table, then merged into the target in one MERGE and into the
state in another, so re-running a batch after a failure between the two gives the same result. A
full refresh (or a first run) computes the target from the batch alone and replaces it in one
commit, so a refresh that fails leaves the previous table in place.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

from brickyard.errors import PipelineError
from brickyard.pipelines import deltalog
from brickyard.pipelines.graph import CdcSpec

if TYPE_CHECKING:
    from pathlib import Path

    from pyspark.sql import Column, DataFrame, SparkSession

SEQ, DELETE, OP, PRIO, GROUP = "__seq", "__delete", "__op", "__prio", "__grp"
START, END = "__START_AT", "__END_AT"


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _column(value: Any) -> Column:
    from pyspark.sql import Column
    from pyspark.sql import functions as F

    return value if isinstance(value, Column) else F.expr(str(value))


def data_columns(columns: list[str], spec: CdcSpec) -> list[str]:
    if spec.column_list is not None:
        chosen = list(spec.column_list)
    else:
        excluded = {c.lower() for c in spec.except_column_list or ()}
        chosen = [c for c in columns if c.lower() not in excluded]
    missing = [k for k in spec.keys if k not in chosen]
    unknown = [c for c in [*spec.keys, *chosen] if c not in columns]
    if unknown:
        raise PipelineError(
            f"AUTO CDC: column(s) {', '.join(unknown)} are not in the source ({', '.join(columns)})"
        )
    return [*missing, *chosen]


def output_frame(changes: DataFrame, spec: CdcSpec) -> DataFrame:
    """What the target looks like: the chosen columns, plus the validity interval for SCD 2."""
    from pyspark.sql import functions as F

    columns = [F.col(_q(c)) for c in data_columns(changes.columns, spec)]
    if spec.scd_type == 2:
        sequence = _column(spec.sequence_by)
        columns += [sequence.alias(START), F.when(F.lit(False), sequence).alias(END)]
    return changes.select(*columns)


def _events(changes: DataFrame, spec: CdcSpec, columns: list[str]) -> DataFrame:
    from pyspark.sql import functions as F

    if spec.where is not None:
        changes = changes.filter(_column(spec.where))
    deletes = F.lit(False)
    if spec.apply_as_deletes is not None:
        deletes = F.coalesce(_column(spec.apply_as_deletes), F.lit(False))
    return changes.select(
        *[F.col(_q(c)) for c in columns], _column(spec.sequence_by).alias(SEQ), deletes.alias(DELETE)
    )


def apply(
    spark: SparkSession,
    changes: DataFrame,
    spec: CdcSpec,
    *,
    target: Path,
    state: Path,
    staging: Path,
    reset: bool,
) -> dict[str, int]:
    """Apply one batch of changes; `reset` ignores the stored target and state (full refresh).

    Returns the flow's metrics: upserted and deleted rows in the batch.
    """
    from pyspark.sql import functions as F

    fresh = reset or not deltalog.is_table(target)
    columns = data_columns(changes.columns, spec)
    events = _events(changes, spec, columns)
    counts = events.agg(
        F.sum(F.when(F.col(DELETE), 0).otherwise(1)).alias("upserts"),
        F.sum(F.when(F.col(DELETE), 1).otherwise(0)).alias("deletes"),
    ).collect()[0]
    metrics = {
        "num_upserted_rows": int(counts["upserts"] or 0),
        "num_deleted_rows": int(counts["deletes"] or 0),
    }
    if sum(metrics.values()) == 0:
        if fresh:
            _overwrite(output_frame(changes, spec).limit(0), target)
            shutil.rmtree(state, ignore_errors=True)
        return metrics
    merge = _scd1 if spec.scd_type == 1 else _scd2
    merge(spark, events, spec, columns, _Paths(target, state, staging), fresh=fresh)
    return metrics


class _Paths:
    def __init__(self, target: Path, state: Path, staging: Path) -> None:
        self.target, self.state, self.staging = target, state, staging


def _overwrite(frame: DataFrame, path: Path) -> None:
    frame.write.format("delta").mode("overwrite").option("overwriteSchema", "true").save(str(path))


def _stage(spark: SparkSession, frame: DataFrame, path: Path) -> DataFrame:
    """Materialize `frame` (it may read the tables about to change) and read it back."""
    _overwrite(frame, path)
    return spark.read.format("delta").load(str(path))


def _delta(path: Path) -> str:
    return f"delta.{_q(str(path))}"


def _on(keys: tuple[str, ...], extra: str = "") -> str:
    condition = " AND ".join(f"t.{_q(k)} = s.{_q(k)}" for k in keys)
    return f"{condition} AND {extra}" if extra else condition


def _scd1(
    spark: SparkSession, events: DataFrame, spec: CdcSpec, columns: list[str], paths: _Paths, *, fresh: bool
) -> None:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    keys = [F.col(_q(k)) for k in spec.keys]
    if spec.ignore_null_updates:
        upto = (
            Window.partitionBy(*keys).orderBy(SEQ).rowsBetween(Window.unboundedPreceding, Window.currentRow)
        )
        events = events.select(
            *[
                F.col(_q(c)) if c in spec.keys else F.last(F.col(_q(c)), True).over(upto).alias(c)
                for c in columns
            ],
            SEQ,
            DELETE,
        )
    latest_first = Window.partitionBy(*keys).orderBy(F.col(SEQ).desc())
    latest = events.withColumn("__rn", F.row_number().over(latest_first)).filter("__rn = 1").drop("__rn")
    if not fresh and deltalog.is_table(paths.state):
        applied = (
            spark.read.format("delta")
            .load(str(paths.state))
            .select(*spec.keys, F.col(SEQ).alias("__applied"))
        )
        latest = (
            latest.join(applied, list(spec.keys), "left")
            .filter(F.col("__applied").isNull() | (F.col(SEQ) > F.col("__applied")))
            .drop("__applied")
        )
    staged = _stage(spark, latest, paths.staging / "changes")
    if fresh:
        _overwrite(staged.filter(~F.col(DELETE)).select(*[F.col(_q(c)) for c in columns]), paths.target)
        _overwrite(staged.select(*spec.keys, SEQ, DELETE), paths.state)
        return
    values = [c for c in columns if c not in spec.keys]
    if spec.ignore_null_updates:
        updates = ", ".join(f"t.{_q(c)} = coalesce(s.{_q(c)}, t.{_q(c)})" for c in values)
    else:
        updates = ", ".join(f"t.{_q(c)} = s.{_q(c)}" for c in values)
    matched_update = f"WHEN MATCHED THEN UPDATE SET {updates} " if updates else ""
    source = _delta(paths.staging / "changes")
    spark.sql(
        f"MERGE INTO {_delta(paths.target)} t USING {source} s ON {_on(spec.keys)} "
        f"WHEN MATCHED AND s.{DELETE} THEN DELETE {matched_update}"
        f"WHEN NOT MATCHED AND NOT s.{DELETE} THEN INSERT ({', '.join(_q(c) for c in columns)}) "
        f"VALUES ({', '.join('s.' + _q(c) for c in columns)})"
    ).collect()
    _merge_state(spark, source, spec.keys, paths.state, extra_match="", update=True)


def _merge_state(
    spark: SparkSession, source: str, keys: tuple[str, ...], state: Path, *, extra_match: str, update: bool
) -> None:
    names = ", ".join(_q(n) for n in [*keys, SEQ, DELETE])
    if not deltalog.is_table(state):
        _overwrite(spark.sql(f"SELECT {names} FROM {source}"), state)
        return
    on_update = f"WHEN MATCHED THEN UPDATE SET t.{SEQ} = s.{SEQ}, t.{DELETE} = s.{DELETE} " if update else ""
    inserted = ", ".join(f"s.{_q(n)}" for n in [*keys, SEQ, DELETE])
    spark.sql(
        f"MERGE INTO {_delta(state)} t USING (SELECT {names} FROM {source}) s "
        f"ON {_on(keys, extra_match)} {on_update}"
        f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({inserted})"
    ).collect()


def _tracked(spec: CdcSpec, columns: list[str]) -> list[str]:
    values = [c for c in columns if c not in spec.keys]
    if spec.track_history_column_list is not None:
        return [c for c in values if c in spec.track_history_column_list]
    excluded = set(spec.track_history_except_column_list or ())
    return [c for c in values if c not in excluded]


def _scd2(
    spark: SparkSession, events: DataFrame, spec: CdcSpec, columns: list[str], paths: _Paths, *, fresh: bool
) -> None:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    keys = list(spec.keys)
    values = [c for c in columns if c not in keys]
    affected = events.select(*keys).distinct()
    timeline = events.withColumn(PRIO, F.lit(0))
    stored = None if fresh else spark.read.format("delta").load(str(paths.target))
    if stored is not None:
        history = stored.join(affected, keys, "left_semi").select(
            *[F.col(_q(c)) for c in columns],
            F.col(START).alias(SEQ),
            F.lit(False).alias(DELETE),
            F.lit(1).alias(PRIO),
        )
        timeline = timeline.unionByName(history)
        if deltalog.is_table(paths.state):
            tombstones = spark.read.format("delta").load(str(paths.state)).join(affected, keys, "left_semi")
            timeline = timeline.unionByName(
                tombstones.select(*keys, SEQ, F.lit(True).alias(DELETE), F.lit(1).alias(PRIO)),
                allowMissingColumns=True,
            )
    # One event per key and sequence value; a new change wins over what was stored.
    same = Window.partitionBy(*keys, SEQ).orderBy(PRIO)
    timeline = timeline.withColumn("__rn", F.row_number().over(same)).filter("__rn = 1").drop("__rn", PRIO)
    # Staged and read back: windows and aggregates over this union trip Sail's nullability checks
    # ("Physical input schema should be the same as the one converted from logical input schema").
    timeline = _stage(spark, timeline, paths.staging / "timeline")
    ordered = Window.partitionBy(*keys).orderBy(SEQ)
    tracked = F.struct(*[F.col(_q(c)) for c in _tracked(spec, columns)] or [F.lit(1)])
    previous_delete = F.lag(DELETE).over(ordered)
    # An upsert opens a version unless it follows an upsert with the same tracked values. Every term
    # is kept non-null: Sail mis-infers the nullability of OR over nullable terms.
    opens = ~F.col(DELETE) & (
        previous_delete.isNull()
        | F.coalesce(previous_delete, F.lit(False))
        | ~F.coalesce(tracked.eqNullSafe(F.lag(tracked).over(ordered)), F.lit(False))
    )
    timeline = timeline.withColumn("__boundary", F.when(F.col(DELETE) | opens, 1).otherwise(0))
    running = ordered.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    timeline = timeline.withColumn(GROUP, F.sum("__boundary").over(running))
    groups = timeline.groupBy(*keys, GROUP).agg(
        F.min(SEQ).alias(START),
        F.max(F.when(F.col(DELETE), F.lit(1))).alias(DELETE),  # 1 for a delete's group, else null
        *[F.max_by(F.col(_q(c)), F.col(SEQ)).alias(c) for c in values],
    )
    groups = groups.withColumn(END, F.lead(START).over(Window.partitionBy(*keys).orderBy(START)))
    versions = groups.filter(F.col(DELETE).isNull()).select(*[F.col(_q(c)) for c in columns], START, END)
    tombstones_now = groups.filter(F.col(DELETE).isNotNull()).select(
        *keys, F.col(START).alias(SEQ), F.lit(True).alias(DELETE)
    )
    if stored is None:
        _overwrite(versions, paths.target)
        _overwrite(tombstones_now, paths.state)
        return
    # Versions of touched keys that the rebuilt history no longer has are deleted by the same MERGE.
    gone = (
        stored.join(affected, keys, "left_semi")
        .select(*keys, START)
        .join(versions.select(*keys, START), [*keys, START], "left_anti")
    )
    merge_source = versions.withColumn(OP, F.lit("upsert")).unionByName(
        gone.withColumn(OP, F.lit("delete")), allowMissingColumns=True
    )
    _stage(spark, merge_source, paths.staging / "versions")
    _stage(spark, tombstones_now, paths.staging / "tombstones")
    assignments = ", ".join(f"t.{_q(c)} = s.{_q(c)}" for c in [*values, END])
    inserted = [*columns, START, END]
    same_version = _on(spec.keys, f"t.{START} = s.{START}")
    spark.sql(
        f"MERGE INTO {_delta(paths.target)} t USING {_delta(paths.staging / 'versions')} s ON {same_version} "
        f"WHEN MATCHED AND s.{OP} = 'delete' THEN DELETE "
        f"WHEN MATCHED THEN UPDATE SET {assignments} "
        f"WHEN NOT MATCHED AND s.{OP} = 'upsert' THEN INSERT ({', '.join(_q(c) for c in inserted)}) "
        f"VALUES ({', '.join('s.' + _q(c) for c in inserted)})"
    ).collect()
    _merge_state(
        spark,
        _delta(paths.staging / "tombstones"),
        spec.keys,
        paths.state,
        extra_match=f"t.{SEQ} = s.{SEQ}",
        update=False,
    )
