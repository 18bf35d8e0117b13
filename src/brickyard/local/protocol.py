"""The contract between the local workspace server and the worker processes that run tasks.

The server never runs user code. For each task attempt it starts a worker
(`python -m brickyard.local.worker REQUEST.json`), which reads a `TaskRequest`, runs the task
against the Spark Connect engine, and writes a `TaskResult` to `request.result_file`. The worker's
stdout and stderr are the task's logs; the server captures them.

A warm worker (`python -m brickyard.local.worker --warm`) imports pyspark and the task runners
first, then reads one line from stdin: the path of a REQUEST.json, which it runs like the cold
form. EOF or an empty line makes it exit 0 without running anything. Its stdout was chosen before
its task was known, so such a request sets `log_file`. Exit status of both forms: 0 when the result
written is SUCCESS, 1 when another result was written, 2 when the request could not be read (no
result written). SIGTERM cancels the task: the worker stops its session and writes CANCELED.

A forked worker is what the server starts by default: its fork server (`brickyard.local.runs.zygote`)
imports `brickyard.local.worker` and calls its `prepare()` once, then for each task forks a child
that calls `main([REQUEST.json])` in a new session, with stdout/stderr on the attempt's
`worker.out`. So `prepare()` must only import (no session, no thread), `main(argv)` must take its
arguments and return the exit status, and the module must have no side effects at import.

Tables: Sail's catalogs live only as long as one Spark session, so the workspace keeps the catalog
and every task session syncs with it. When a task runs on the embedded engine the server sets
`BRICKYARD_CATALOG_SYNC=<dir>` (a directory holding `catalog.json`); `engine.connect()` then
registers those schemas, tables and views in the new session, and when that session is stopped
writes what the task changed to `<dir>/catalog-changes.json`, which the server applies. Workers
need only open their session with `engine.connect()` and stop it before exiting, as they do.

Storage layout shared by both sides (all below the local workspace home, `.brickyard/local/`):

- Workspace objects: the object at workspace path `/Users/a/b` (or `/Workspace/Users/a/b`, the
  same object) is the file `<workspace_root>/Users/a/b`. Notebooks are stored without extension,
  in Databricks SOURCE format, so their first line names the language:
  `# Databricks notebook source` (Python), `-- Databricks notebook source` (SQL),
  `// Databricks notebook source` (Scala), `# Databricks notebook source` + R magic is not used.
  Other files are stored byte for byte.
- DBFS: `dbfs:/x/y` is `<storage_root>/dbfs/x/y`. Volumes: `/Volumes/c/s/v/x` is
  `<storage_root>/volumes/c/s/v/x`.
- Secrets: SQLite table `secrets(scope TEXT, key TEXT, value BLOB, last_updated_timestamp INTEGER,
  PRIMARY KEY (scope, key))` in the database at `metadata_db`; workers open it read-only.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# Result states a worker may report, as the Jobs API spells them.
SUCCESS = "SUCCESS"
FAILED = "FAILED"
TIMEDOUT = "TIMEDOUT"
CANCELED = "CANCELED"


@dataclass
class TaskRequest:
    run_id: int
    task_run_id: int
    task_key: str
    task: dict[str, Any]
    """The task's settings (notebook_task, spark_python_task, ...) with `{{…}}` references filled."""
    spark_remote: str
    warehouse: str
    workspace_root: str
    storage_root: str
    metadata_db: str
    result_file: str
    job_id: int | None = None
    attempt: int = 0
    job_parameters: dict[str, str] = field(default_factory=dict)
    task_values: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Values set by upstream tasks: {task_key: {name: value}}."""
    host: str = ""
    token: str = ""
    environment: dict[str, str] = field(default_factory=dict)
    """Extra environment variables (cluster spark_env_vars, job environment)."""
    spark_conf: dict[str, str] = field(default_factory=dict)
    timeout_seconds: int = 0
    log_file: str = ""
    """If set, the worker appends the task's stdout and stderr to this file instead of its own."""
    cache_root: str = ""
    """Where workers keep what they build across runs (wheel environments); empty means `cache/`
    under the common parent of `workspace_root` and `storage_root`."""

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> TaskRequest:
        return cls(**json.loads(text))

    @classmethod
    def read(cls, path: Path) -> TaskRequest:
        return cls.from_json(path.read_text(encoding="utf-8"))


@dataclass
class TaskResult:
    state: str
    """SUCCESS, FAILED, TIMEDOUT or CANCELED."""
    notebook_result: str | None = None
    """The value given to dbutils.notebook.exit, if any."""
    error: str | None = None
    """One line: what failed (the exception's type and message)."""
    error_trace: str | None = None
    """The user-facing traceback, secrets redacted."""
    task_values: dict[str, Any] = field(default_factory=dict)
    """Values set with dbutils.jobs.taskValues.set."""

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> TaskResult:
        return cls(**json.loads(text))

    @classmethod
    def read(cls, path: Path) -> TaskResult:
        return cls.from_json(path.read_text(encoding="utf-8"))

    def write(self, path: Path) -> None:
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)


def workspace_file(workspace_root: Path, workspace_path: str) -> Path:
    """The local file that holds a workspace object (see the module docstring)."""
    path = workspace_path
    if path.startswith("/Workspace/"):
        path = path[len("/Workspace") :]
    if not path.startswith("/"):
        raise ValueError(f"workspace paths are absolute: {workspace_path!r}")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ValueError(f"workspace path escapes the workspace: {workspace_path!r}")
    return _confined(workspace_root, parts, workspace_path)


def storage_file(storage_root: Path, uri: str) -> Path:
    """The local file behind a `dbfs:/…` or `/Volumes/…` path."""
    volume = uri.startswith("/Volumes/")
    if uri.startswith("dbfs:"):
        rest, base = uri[len("dbfs:") :], storage_root / "dbfs"
    elif uri.startswith("/dbfs/"):
        rest, base = uri[len("/dbfs") :], storage_root / "dbfs"
    elif volume:
        rest, base = uri[len("/Volumes") :], storage_root / "volumes"
    else:
        raise ValueError(f"not a DBFS or volume path: {uri!r}")
    parts = [p for p in rest.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ValueError(f"path escapes its storage: {uri!r}")
    if volume and len(parts) > 3:
        # An external volume is a link to its storage location: confine to the volume itself.
        _confined(base, parts[:2], uri)
        return _confined(base.joinpath(*parts[:3]), parts[3:], uri)
    return _confined(base, parts, uri)


def _confined(base: Path, parts: list[str], shown: str) -> Path:
    """`base/parts`, refused when a symbolic link on the way leads out of `base`."""
    if any("\x00" in part for part in parts):
        raise ValueError(f"path contains a NUL character: {shown!r}")
    file = base.joinpath(*parts)
    real, real_base = os.path.realpath(file), os.path.realpath(base)
    if real != real_base and not real.startswith(real_base + os.sep):
        raise ValueError(f"path leads outside the local workspace: {shown!r}")
    return file
