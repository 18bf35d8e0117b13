"""`DESCRIBE HISTORY` (and `DeltaTable.history()`) in tasks, read from the table's Delta log.

The local engine has no history command, but every table it writes is Delta with its log on the
workspace's disk: the table's location comes from the engine (`SHOW TABLE EXTENDED`), and each
commit's `commitInfo` gives a row, newest first, with Databricks' columns for it (`version`,
`timestamp`, `userName`, `operation`, `operationParameters`, `operationMetrics`, …).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from brickyard.local.sql.unity_sql import parts

HISTORY = re.compile(r"^DESC(?:RIBE)?\s+HISTORY\s+(.+?)(?:\s+LIMIT\s+(\d+))?\s*;?\s*$", re.I | re.S)
_PATH_TABLE = re.compile(r"^delta\s*\.\s*`(.+)`$", re.I | re.S)
_SCHEMA = (
    "version BIGINT, timestamp TIMESTAMP, userId STRING, userName STRING, operation STRING, "
    "operationParameters MAP<STRING, STRING>, readVersion BIGINT, isolationLevel STRING, "
    "isBlindAppend BOOLEAN, operationMetrics MAP<STRING, STRING>, engineInfo STRING"
)


def describe_history(
    session: Any, name: str, limit: int | None = None, translate: Callable[[str], str] = str
) -> Any:
    """The history of table `name` (or `delta.`path``, its path through `translate`) as a
    DataFrame, newest commit first."""
    from brickyard.errors import TaskError
    from brickyard.pipelines import deltalog

    table = _location(session, name.strip(), translate)
    if table is None or not deltalog.is_table(table):
        raise TaskError(f"[DELTA_MISSING_DELTA_TABLE] {name.strip()} is not a Delta table.")
    rows: list[tuple[Any, ...]] = []
    version = deltalog.latest_version(table)
    while version is not None and version >= 0 and (limit is None or len(rows) < limit):
        info: dict[str, Any] = next(
            (a["commitInfo"] for a in deltalog.read_commit(table, version) if "commitInfo" in a), {}
        )
        rows.append(_row(version, info))
        version -= 1
    return session.createDataFrame(rows, _SCHEMA)


def _row(version: int, info: dict[str, Any]) -> tuple[Any, ...]:
    from datetime import UTC, datetime

    stamp = info.get("timestamp")
    when = datetime.fromtimestamp(stamp / 1000, UTC) if isinstance(stamp, int | float) else None
    return (
        version,
        when,
        info.get("userId"),
        info.get("userName"),
        info.get("operation"),
        _texts(info.get("operationParameters")),
        info.get("readVersion"),
        info.get("isolationLevel"),
        info.get("isBlindAppend"),
        _texts(info.get("operationMetrics")),
        info.get("engineInfo"),
    )


def _texts(values: Any) -> dict[str, str]:
    if not isinstance(values, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def _location(session: Any, name: str, translate: Callable[[str], str]) -> Path | None:
    if (match := _PATH_TABLE.match(name)) is not None:
        return Path(translate(match.group(1)))
    names = parts(name)
    if not 1 <= len(names) <= 3:
        return None
    current = [session.catalog.currentCatalog(), session.catalog.currentDatabase()]
    catalog, schema, table = [*current[: 3 - len(names)], *names][-3:]
    from brickyard.dr.snapshot import local_path
    from brickyard.local.runs.catalog import table_information

    rows = session.sql(f"SHOW TABLE EXTENDED IN `{catalog}`.`{schema}` LIKE '{table}'").collect()
    location = next((table_information(str(row["information"])).get("Location") for row in rows), None)
    return local_path(location.strip()) if location else None
