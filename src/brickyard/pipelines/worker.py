"""`python -m brickyard.pipelines.worker REQUEST.json`: one pipeline update in a process of its own.

The local workspace server never runs user code itself. For `pipelines start-update` and for a job's
`pipeline_task` it writes a `PipelineRequest`, starts this worker, tails `events_file` (one
event-log event per line, flushed as they happen) and reads `result_file` (an `UpdateResult`) once
the worker exits. SIGTERM cancels the update (state CANCELED). The Spark Connect session is always
stopped before exit: a session left open makes the client retry for minutes at interpreter exit.

Exit status: 0 when the update completed, 1 when it failed or was canceled (the result file says
which, and why), 2 when the request itself is unreadable.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from brickyard.pipelines import active
from brickyard.pipelines.events import JsonLinesSink
from brickyard.pipelines.spec import PipelineSpec, UpdateOptions, UpdateResult
from brickyard.pipelines.update import UpdateCanceled, run_update


@dataclass
class PipelineRequest:
    spark_remote: str
    """`sc://host:port` of the Spark Connect engine."""
    warehouse: str
    """Absolute warehouse directory for the session (Sail refuses relative table locations)."""
    spec: dict[str, Any]
    """`PipelineSpec.to_dict()`."""
    events_file: str
    result_file: str
    options: dict[str, Any] = field(default_factory=dict)
    """`UpdateOptions.to_dict()`; defaults to a normal update with a fresh update id."""
    environment: dict[str, str] = field(default_factory=dict)
    spark_conf: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    def write(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> PipelineRequest:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def write_result(result: UpdateResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(result.to_dict(), default=str), encoding="utf-8")
    tmp.replace(path)


def _cancel(signum: int, frame: FrameType | None) -> None:
    raise UpdateCanceled()


def run(request: PipelineRequest) -> UpdateResult:
    from brickyard.local.engine import connect

    spec = PipelineSpec.from_dict(request.spec)
    options = UpdateOptions.from_dict(request.options)
    os.environ.update(request.environment)
    spark = None
    try:
        spark = connect(request.spark_remote, Path(request.warehouse))
        if spec.storage_root:
            _translate_paths(Path(spec.storage_root), dict(spec.configuration))
        for key, value in request.spark_conf.items():
            spark.conf.set(key, value)
        return run_update(spark, spec, options, JsonLinesSink(Path(request.events_file)))
    except UpdateCanceled:
        return UpdateResult(options.update_id, spec.id, "CANCELED", error="the update was canceled")
    except Exception as exc:
        return UpdateResult(options.update_id, spec.id, "FAILED", error=f"{type(exc).__name__}: {exc}")
    finally:
        if spark is not None:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            with suppress(Exception):  # the engine may be gone; nothing left to release
                spark.stop()


def _translate_paths(storage_root: Path, configuration: dict[str, str]) -> None:
    """`/databricks-datasets/…`, `/Volumes/…`, `dbfs:/…` in pipeline code reach local storage, and
    `/Workspace/…` the workspace's files, as in tasks (the workspace home holds `storage/` and
    `workspace/` side by side)."""
    from brickyard.local.tasks.paths import Locations
    from brickyard.local.tasks.spark_paths import install_path_translation

    install_path_translation(Locations(storage_root.parent / "workspace", storage_root), check_missing=False)
    active.workspace_dbutils = _dbutils(storage_root, configuration)
    # `/Workspace/…` on sys.path (`sys.path.append(spark.conf.get("bundle.sourcePath"))`, as the
    # templates write it) and `/Volumes/…` with plain file APIs, as in tasks
    from brickyard.local.fuse_paths import mount_workspace_paths

    mount_workspace_paths(str(storage_root.parent / "workspace"), str(storage_root), quiet=True)


def _dbutils(storage_root: Path, configuration: dict[str, str]) -> Any:
    """A `dbutils` for pipeline source: fs, secrets and widgets (the pipeline's configuration)."""
    from brickyard.errors import PipelineError
    from brickyard.local.dbutils import (
        DBUtils,
        FileSystem,
        Jobs,
        Library,
        NotebookUtils,
        Secrets,
        TaskValues,
        Widgets,
    )
    from brickyard.local.tasks.redact import Redactor

    def no_notebooks(path: str, timeout: int, arguments: Mapping[str, str]) -> str:
        raise PipelineError(f"dbutils.notebook.run({path!r}) is not available in pipeline source")

    return DBUtils(
        widgets=Widgets(configuration),
        secrets=Secrets(storage_root.parent / "metadata.db", Redactor()),
        fs=FileSystem(storage_root),
        notebook=NotebookUtils(no_notebooks),
        jobs=Jobs(TaskValues("", {}, {})),
        library=Library(),
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m brickyard.pipelines.worker REQUEST.json", file=sys.stderr)
        return 2
    try:
        request = PipelineRequest.read(Path(args[0]))
    except (OSError, ValueError, TypeError) as exc:
        print(f"brickyard pipeline worker: cannot read {args[0]}: {exc}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _cancel)
    result = run(request)
    write_result(result, Path(request.result_file))
    if result.error:
        print(f"pipeline update {result.state}: {result.error}", file=sys.stderr)
    return 0 if result.state == "COMPLETED" else 1


if __name__ == "__main__":
    sys.exit(main())
