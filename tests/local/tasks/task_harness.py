"""A throwaway local workspace for worker tests: folders, a secrets database, and real worker runs.

Tests write notebooks and files at workspace paths, put secrets in the protocol's SQLite table,
and run the real worker (`python -m brickyard.local.worker`) as a subprocess against the shared
engine, exactly as the server does.
"""

from __future__ import annotations

import itertools
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brickyard.local.protocol import TaskRequest, TaskResult, storage_file, workspace_file

_counter = itertools.count(1)


@dataclass
class Outcome:
    result: TaskResult
    stdout: str
    stderr: str
    returncode: int

    @property
    def logs(self) -> str:
        return self.stdout + self.stderr


@dataclass
class TaskWorkspace:
    root: Path
    spark_remote: str = ""
    warehouse: Path = field(default_factory=Path)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    @property
    def workspace_root(self) -> Path:
        return self.root / "workspace"

    @property
    def storage_root(self) -> Path:
        return self.root / "storage"

    @property
    def metadata_db(self) -> Path:
        return self.root / "metadata.db"

    def write(self, workspace_path: str, content: str | bytes) -> Path:
        local = workspace_file(self.workspace_root, workspace_path)
        local.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            local.write_bytes(content)
        else:
            local.write_text(content, encoding="utf-8")
        return local

    def storage(self, uri: str) -> Path:
        return storage_file(self.storage_root, uri)

    def put_secret(self, scope: str, key: str, value: str | bytes) -> None:
        raw = value.encode() if isinstance(value, str) else value
        with sqlite3.connect(self.metadata_db) as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS secrets(scope TEXT, key TEXT, value BLOB, "
                "last_updated_timestamp INTEGER, PRIMARY KEY (scope, key))"
            )
            conn.execute("INSERT OR REPLACE INTO secrets VALUES (?, ?, ?, 0)", (scope, key, raw))

    def request(self, task: dict[str, Any], **overrides: Any) -> TaskRequest:
        number = next(_counter)
        values: dict[str, Any] = {
            "run_id": number,
            "task_run_id": 1000 + number,
            "task_key": task.get("task_key", "main"),
            "task": task,
            "spark_remote": self.spark_remote,
            "warehouse": str(self.warehouse),
            "workspace_root": str(self.workspace_root),
            "storage_root": str(self.storage_root),
            "metadata_db": str(self.metadata_db),
            "result_file": str(self.root / f"result-{number}.json"),
        }
        values.update(overrides)
        return TaskRequest(**values)

    def run(self, task: dict[str, Any], timeout: float = 180, **overrides: Any) -> Outcome:
        """Run `task` in a real worker process and return its result and logs."""
        request = self.request(task, **overrides)
        path = Path(request.result_file).with_suffix(".request.json")
        path.write_text(request.to_json(), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "brickyard.local.worker", str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        result = TaskResult.read(Path(request.result_file))
        return Outcome(result, proc.stdout, proc.stderr, proc.returncode)


def notebook(*cells: str, language: str = "python") -> str:
    """SOURCE text for a notebook made of `cells` (magic cells written with MAGIC prefixes)."""
    from brickyard.notebook_format import Cell, Notebook, normalize_language, render_source

    return render_source(Notebook(normalize_language(language), [Cell(c.strip("\n")) for c in cells]))
