"""Reading a Delta table's transaction log directly, for incremental reads and write metrics.

Sail cannot stream from a Delta table and has no `DESCRIBE HISTORY`, but every table a pipeline
writes sits at a path it knows, and the log there says which data files each commit added. A
streaming read of such a table is then "the files added since the version this flow saw last",
which is what a Delta streaming source does. Commits that rewrote or removed data (an overwrite, a
MERGE) cannot be replayed as appends: like Spark, the read fails unless the reader asked to skip
them (`skipChangeCommits`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from brickyard.errors import PipelineError

_COMMIT = re.compile(r"^(\d{20})\.json$")


def log_dir(table: Path) -> Path:
    return table / "_delta_log"


def is_table(table: Path) -> bool:
    return log_dir(table).is_dir() and latest_version(table) is not None


def latest_version(table: Path) -> int | None:
    directory = log_dir(table)
    if not directory.is_dir():
        return None
    versions = [int(m.group(1)) for p in directory.iterdir() if (m := _COMMIT.match(p.name))]
    return max(versions) if versions else None


def read_commit(table: Path, version: int) -> list[dict[str, Any]]:
    path = log_dir(table) / f"{version:020d}.json"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise PipelineError(
            f"the Delta log of {table} has no commit {version} (was the table vacuumed or replaced?)"
        ) from exc
    return [json.loads(line) for line in lines if line.strip()]


def commit_metrics(table: Path, version: int) -> dict[str, Any]:
    """`commitInfo.operationMetrics` of one commit (numOutputRows, numTargetRowsInserted, …)."""
    for action in read_commit(table, version):
        if "commitInfo" in action:
            metrics = action["commitInfo"].get("operationMetrics") or {}
            return {k: _number(v) for k, v in metrics.items()}
    return {}


def table_id(table: Path) -> str | None:
    """The table's `metaData.id`, which stays the same across overwrites but not across re-creation."""
    first = latest_version(table)
    if first is None:
        return None
    for version in range(0, first + 1):
        for action in _safe_commit(table, version):
            if "metaData" in action:
                return str(action["metaData"].get("id"))
    return None


@dataclass
class Changes:
    """Data files added after a version, up to `latest`."""

    latest: int
    files: list[str] = field(default_factory=list)
    rows: int | None = 0
    skipped_commits: list[int] = field(default_factory=list)


def changes_since(table: Path, version: int, *, skip_change_commits: bool, reader: str) -> Changes:
    latest = latest_version(table)
    if latest is None:
        raise PipelineError(f"{table} is not a Delta table")
    changes = Changes(latest=latest)
    for current in range(version + 1, latest + 1):
        actions = read_commit(table, current)
        rewrites = any(a.get("remove", {}).get("dataChange", False) for a in actions if "remove" in a)
        if rewrites:
            if skip_change_commits:
                changes.skipped_commits.append(current)
                continue
            operation = next(
                (a["commitInfo"].get("operation") for a in actions if "commitInfo" in a), "a change"
            )
            raise PipelineError(
                f"{reader} reads {table} as a stream, but version {current} of it is {operation}, which "
                "updated or deleted existing rows; a stream can only follow appends. Fully refresh "
                f"{reader} (or read with skipChangeCommits) to start over"
            )
        for action in actions:
            add = action.get("add")
            if add is None or not add.get("dataChange", True):
                continue
            if add.get("deletionVector"):
                raise PipelineError(
                    f"{table} uses deletion vectors, which incremental reads here do not support"
                )
            changes.files.append(_data_file(table, add["path"]))
            stats = add.get("stats")
            if changes.rows is not None and isinstance(stats, str) and '"numRecords"' in stats:
                changes.rows += int(json.loads(stats).get("numRecords", 0))
            else:
                changes.rows = None
    return changes


def _data_file(table: Path, path: str) -> str:
    parsed = urlparse(path)
    if parsed.scheme == "file":
        return unquote(parsed.path)
    if parsed.scheme:
        raise PipelineError(f"{table} refers to a data file at {path}, which is not local")
    return str(table / unquote(path))


def _safe_commit(table: Path, version: int) -> list[dict[str, Any]]:
    try:
        return read_commit(table, version)
    except PipelineError:
        return []


def _number(value: Any) -> Any:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value
