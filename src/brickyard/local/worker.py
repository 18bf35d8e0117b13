"""The task worker: runs one task attempt of a job run and reports how it ended.

    python -m brickyard.local.worker REQUEST.json     # cold: read the request, run it, exit
    python -m brickyard.local.worker --warm           # warm: import first, then read its path on stdin

The server never runs user code; it writes a `TaskRequest`, starts (or hands it to) a worker and
reads the `TaskResult` from `request.result_file` (see `protocol` for the handshake and the exit
status). Importing pyspark costs most of a cold start, so `prepare()` does the imports ahead of
time and `execute()` runs a request in an already warm process.

Whatever happens, the worker stops its Spark Connect session before exiting (a client left open
retries at interpreter exit for minutes), redacts fetched secrets from its output and its result,
and writes a result: SUCCESS, FAILED with a one-line error and the user-facing trace, TIMEDOUT
after `timeout_seconds`, or CANCELED on SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from brickyard.errors import TaskError
from brickyard.local.fuse_paths import mount_warning, mount_workspace_paths
from brickyard.local.protocol import CANCELED, FAILED, SUCCESS, TIMEDOUT, TaskRequest, TaskResult
from brickyard.local.tasks.deadline import Deadlines, TaskInterrupt, TaskTimedOut, install_cancel_handler
from brickyard.local.tasks.redact import RedactedOutput, Redactor

RUNTIME_VERSION = "client.brickyard"
"""`DATABRICKS_RUNTIME_VERSION` in tasks: code that checks for a Databricks runtime finds one."""
WATCHDOG_GRACE = 15.0
"""Seconds past the timeout after which a task stuck outside Python is ended without cleanup."""
_ENDPOINT_KEYS = frozenset({"spark.remote", "spark.master"})


def prepare() -> None:
    """Import what every task needs, so a warm worker starts its task in well under a second."""
    import pyspark.sql.connect.session
    import pyspark.sql.functions  # noqa: F401

    import brickyard.local.engine
    import brickyard.local.tasks.notebook
    import brickyard.local.tasks.python_file
    import brickyard.local.tasks.sql_task
    import brickyard.local.tasks.wheel  # noqa: F401


@dataclass
class _Primed:
    """What a standby worker prepared before its task was known (see `standby`)."""

    remote: str = ""
    warehouse: str = ""
    mounted: tuple[str, str] | None = None
    mount_problem: str | None = None
    session: Any = None


_PRIMED = _Primed()


def standby(spec: dict[str, Any]) -> None:
    """Get a forked worker ready for a task of a known kind before the task exists.

    The fork server keeps one such worker per workspace engine (`runs.zygote`): it applies the
    environment its tasks share, mounts the workspace paths and opens the Spark Connect session,
    which is most of what a trivial task costs (a new process's first call to the engine takes
    about half a second). The task then finds all of it done. Nothing here may fail the task:
    whatever could not be prepared is done again, the ordinary way, once the task runs.
    """
    os.environ.update({str(k): str(v) for k, v in (spec.get("env") or {}).items()})
    workspace_root, storage_root = str(spec["workspace_root"]), str(spec["storage_root"])
    _PRIMED.mount_problem = mount_workspace_paths(workspace_root, storage_root, quiet=True)
    _PRIMED.mounted = (workspace_root, storage_root)
    try:
        from brickyard.local.engine import CATALOG_SYNC_ENV, connect

        os.environ.pop(CATALOG_SYNC_ENV, None)  # the task's own catalog is attached when it runs
        _probe(spec["remote"])
        session = connect(spec["remote"], Path(spec["warehouse"]))
        session.conf.get("spark.sql.warehouse.dir")  # the first call is the slow one: make it now
        if spec.get("preload"):
            from brickyard.local.runs.catalog import preload
            from brickyard.local.store.catalog import CatalogSnapshot

            preload(session, CatalogSnapshot.from_json(Path(spec["preload"]).read_text(encoding="utf-8")))
    except Exception as exc:
        message = str(exc)
        for token in _url_tokens(str(spec.get("remote", ""))):
            message = message.replace(token, "[REDACTED]")
        print(f"standby: no session prepared: {type(exc).__name__}: {message}", file=sys.stderr)
        return
    _PRIMED.remote, _PRIMED.warehouse, _PRIMED.session = spec["remote"], spec["warehouse"], session


def execute(request: TaskRequest) -> TaskResult:
    """Run `request` in this process and return its result (the caller writes it)."""
    redactor = Redactor()
    for credential in (request.token, *_url_tokens(request.spark_remote)):
        redactor.add(credential)
    with RedactedOutput(redactor, request.log_file):
        result, values = _run(request, redactor)
    return TaskResult(
        state=result.state,
        notebook_result=_redact_optional(redactor, result.notebook_result),
        error=_redact_optional(redactor, result.error),
        error_trace=_redact_optional(redactor, result.error_trace),
        task_values=redactor.redact_json(values),
    )


def run(request: TaskRequest) -> TaskResult:
    """`execute`, with the result written where the server reads it, and a watchdog for hung tasks."""
    result_file = Path(request.result_file).resolve()
    request = replace(request, result_file=str(result_file))
    if request.timeout_seconds > 0:
        _start_watchdog(result_file, request.timeout_seconds + WATCHDOG_GRACE)
    result = execute(request)
    result.write(result_file)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m brickyard.local.worker", description=__doc__.split("\n")[0]
    )
    parser.add_argument("request", nargs="?", type=Path, help="the TaskRequest JSON file")
    parser.add_argument(
        "--warm", action="store_true", help="import first, then read the request path on stdin"
    )
    args = parser.parse_args(argv)
    if args.warm:
        prepare()
        line = sys.stdin.readline().strip()
        if not line:
            return 0
        args.request = Path(line)
    if args.request is None:
        parser.error("give a REQUEST.json, or --warm")
    try:
        request = TaskRequest.read(args.request)
    except (OSError, ValueError, TypeError) as exc:
        print(f"Error: cannot read the task request {args.request}: {exc}", file=sys.stderr)
        return 2
    install_cancel_handler()
    result = run(request)
    return 0 if result.state == SUCCESS else 1


def _run(request: TaskRequest, redactor: Redactor) -> tuple[TaskResult, dict[str, Any]]:
    from brickyard.local.dbutils import NotebookExit
    from brickyard.local.tasks import run_task, task_type
    from brickyard.local.tasks.context import TaskContext
    from brickyard.local.tasks.pycode import one_line, user_trace

    ctx: TaskContext | None = None
    spark = None
    try:
        task_type(request.task)
        request = _with_secrets(request, redactor)
        _apply_environment(request)
        _mount(request)
        deadlines = Deadlines()
        seconds = request.timeout_seconds
        # The limit covers opening the session: the server's clock started before this worker did.
        with deadlines.limit(seconds, lambda: TaskTimedOut(f"the task timed out after {seconds} seconds")):
            spark = _open_session(request)
            ctx = TaskContext(request, spark, redactor, deadlines)
            result = TaskResult(SUCCESS, notebook_result=run_task(ctx))
    except NotebookExit as done:
        result = TaskResult(SUCCESS, notebook_result=done.value)
    except SystemExit as exc:
        if exc.code in (0, None):
            result = TaskResult(SUCCESS)
        else:
            result = _failed(f"SystemExit: {exc.code}", user_trace(exc))
    except TaskInterrupt as exc:
        result = TaskResult(exc.state, error=str(exc))
        print(f"Error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        result = TaskResult(CANCELED, error="the run was canceled")
    except TaskError as exc:
        message = str(exc)
        first = message.split("\n", 1)[0]
        result = _failed(first, message if "\n" in message else None)
        print(f"Error: {message}", file=sys.stderr)
    except BaseException as exc:
        result = _failed(one_line(exc), user_trace(exc))
    finally:
        _stop_sessions(spark)
    return result, dict(ctx.task_values) if ctx is not None else {}


def _failed(error: str, trace: str | None) -> TaskResult:
    if trace:
        print(trace, file=sys.stderr, end="" if trace.endswith("\n") else "\n")
    return TaskResult(FAILED, error=error, error_trace=trace)


def _with_secrets(request: TaskRequest, redactor: Redactor) -> TaskRequest:
    from brickyard.local.dbutils.secrets import Secrets
    from brickyard.local.tasks.secret_refs import redact_credentials, resolve_request

    resolved = resolve_request(request, Secrets(Path(request.metadata_db), redactor))
    redact_credentials(resolved, redactor)
    return resolved


def _apply_environment(request: TaskRequest) -> None:
    os.environ.update(
        {
            "DATABRICKS_RUNTIME_VERSION": RUNTIME_VERSION,
            "BRICKYARD_LOCAL_WORKSPACE": "1",
            "PYTHONUNBUFFERED": "1",
            "SPARK_CONNECT_MODE_ENABLED": "1",
        }
    )
    if request.host:
        os.environ["DATABRICKS_HOST"] = request.host
    if request.token:
        os.environ["DATABRICKS_TOKEN"] = request.token
    os.environ.update({str(k): str(v) for k, v in request.environment.items()})
    os.environ["SPARK_REMOTE"] = request.spark_remote
    os.environ.pop("MASTER", None)  # pyspark refuses a master next to a remote


def _mount(request: TaskRequest) -> None:
    if _PRIMED.mounted != (request.workspace_root, request.storage_root):
        mount_workspace_paths(request.workspace_root, request.storage_root)
    elif _PRIMED.mount_problem is not None:
        print(mount_warning(_PRIMED.mount_problem), file=sys.stderr)


def _open_session(request: TaskRequest) -> Any:
    from brickyard.local.engine import connect, with_catalog_sync

    primed, _PRIMED.session = _PRIMED.session, None
    same = (_PRIMED.remote, _PRIMED.warehouse) == (request.spark_remote, request.warehouse)
    if primed is not None and same:
        primed = _still_open(primed)
    if primed is not None and same:
        spark = with_catalog_sync(primed)
    else:
        _probe(request.spark_remote)
        spark = connect(request.spark_remote, Path(request.warehouse))
    for key, value in request.spark_conf.items():
        if key in _ENDPOINT_KEYS:
            continue
        try:
            spark.conf.set(key, value)
        except Exception as exc:
            print(f"Warning: spark_conf {key} was not applied: {exc}", file=sys.stderr)
    return spark


def _still_open(session: Any) -> Any:
    """The prepared session if the engine still knows it (it may have restarted since), else None."""
    try:
        session.conf.get("spark.sql.warehouse.dir")
        return session
    except Exception:
        with contextlib.suppress(Exception):
            session.stop()
        return None


ENGINE_WAIT = 5.0
"""How long a task waits for the engine to accept a connection before it fails."""


def _probe(remote: str, timeout: float = 5.0) -> None:
    """Fail in seconds, not after the client's minutes of retries, when the engine is not there."""
    parsed = urlparse(remote)
    if parsed.scheme != "sc" or not parsed.hostname:
        raise TaskError(f"spark_remote {remote!r} is not a Spark Connect URL (sc://host:port)")
    deadline = time.monotonic() + ENGINE_WAIT
    while True:  # an engine the server has just (re)started may take a moment to listen
        try:
            socket.create_connection((parsed.hostname, parsed.port or 15002), timeout=timeout).close()
            return
        except OSError as exc:
            if time.monotonic() >= deadline:
                raise TaskError(f"the Spark engine at {remote} is not reachable: {exc}") from exc
            time.sleep(0.2)


def _stop_sessions(spark: Any) -> None:
    """Stop the worker's session and any other one user code opened; each is a client that would hang."""
    if "pyspark.sql.connect.session" not in sys.modules:
        return  # no session was ever opened, and importing pyspark to find out costs seconds
    from pyspark.sql.connect.session import SparkSession

    sessions = [spark, SparkSession.getActiveSession(), SparkSession._default_session]
    for session in {id(s): s for s in sessions if s is not None}.values():
        try:
            session.stop()
        except Exception as exc:
            print(f"Warning: stopping the Spark session failed: {exc}", file=sys.stderr)


def _url_tokens(remote: str) -> list[str]:
    """Tokens inside a Spark Connect URL (`sc://host:443/;token=…`), which error messages may quote."""
    parts = (part.partition("=") for part in remote.split(";")[1:])
    return [value for key, _, value in parts if key.strip().lower() == "token" and value]


def _redact_optional(redactor: Redactor, text: str | None) -> str | None:
    return None if text is None else redactor.redact(text)


def _start_watchdog(result_file: Path, after: float) -> None:
    """If the task is stuck where no signal reaches it, report TIMEDOUT and end the process."""

    def watch() -> None:
        time.sleep(after)
        if result_file.exists():
            return
        TaskResult(TIMEDOUT, error=f"the task did not stop within {after:.0f}s of its timeout").write(
            result_file
        )
        os._exit(1)

    threading.Thread(target=watch, name="watchdog", daemon=True).start()


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # user code may have left a client open; its exit hooks would retry for minutes
