"""One pipeline update, run by the pipeline worker in a process of its own, watched from a thread.

The server never runs pipeline code. It turns the stored settings into a `PipelineRequest`, starts
`brickyard.pipelines.worker` through the fork server, and while the worker runs it tails the
worker's event file into the event log, so `pipelines/{id}/events` and `get-update` show progress
as it happens. The worker's Spark session starts from the workspace catalog and reports what it
published when it stops (`runs.catalog`); that change set is applied once the worker exits, which
is what makes a pipeline's tables visible to every later task. The update shows a final state only
after that, so a client that sees COMPLETED can read the tables at once. A stop is a SIGTERM: the worker
cancels the update, stops its session and writes CANCELED.

Failures before the worker starts (a library missing from the workspace, no engine) are written to
the event log the same way the executor writes its own, so a client reads one shape either way.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickyard.errors import BrickyardError, PipelineError
from brickyard.local.engine import CATALOG_SYNC_ENV
from brickyard.local.home import LocalHome
from brickyard.local.runs.catalog import SNAPSHOT_FILE, read_changes
from brickyard.local.runs.compute import Compute
from brickyard.local.runs.tokens import RunTokens
from brickyard.local.runs.workers import Worker, WorkerPool
from brickyard.local.samples import Samples
from brickyard.local.store.catalog import CatalogStore
from brickyard.local.store.pipeline_events import EventStore
from brickyard.local.store.pipelines import PipelineRecord, PipelineStore

WORKER_MODULE = "brickyard.pipelines.worker"
STOP_GRACE = 10.0
POLL = 0.1
PID_FILE = "worker.pid"
FINAL_STATES = ("COMPLETED", "FAILED", "CANCELED")
log = logging.getLogger("brickyard.local")


@dataclass(frozen=True)
class UpdateSetting:
    """What every pipeline update of this workspace shares; built once, when the server is wired."""

    home: LocalHome
    pipelines: PipelineStore
    events: EventStore
    catalog: CatalogStore
    compute: Compute
    pool: WorkerPool
    tokens: RunTokens
    host: str
    release_thread: Callable[[], None]
    samples: Samples


class _EventFile:
    """Reads the complete lines a worker appended since the last read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def read(self) -> list[dict[str, Any]]:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
        except OSError:
            return []
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        events = []
        for line in complete.splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                continue
        return events


class UpdateExecution:
    def __init__(
        self,
        setting: UpdateSetting,
        record: PipelineRecord,
        doc: dict[str, Any],
        on_done: Callable[[UpdateExecution], None],
    ) -> None:
        self.setting = setting
        self.record = record
        self.doc = doc
        self.update_id: str = doc["update_id"]
        self.pipeline_id = record.pipeline_id
        self.state: str = doc["state"]
        self.error: str | None = None
        self.result: dict[str, Any] | None = None
        self.cancelled = threading.Event()
        self.done = threading.Event()
        self._state_lock = threading.Lock()
        self._on_done = on_done
        self._seen_events = 0
        self._reported: str | None = None
        """The final state the worker's events announced, shown once its tables are published."""
        self._final_events: list[dict[str, Any]] = []
        """The worker's events announcing that final state, held back until then as well."""
        self.directory = setting.home.root / "pipelines" / record.pipeline_id / self.update_id
        self.events = _EventFile(self.directory / "events.jsonl")

    def start(self) -> None:
        threading.Thread(target=self._main, name=f"update-{self.update_id[:8]}", daemon=True).start()

    def stop(self) -> None:
        if not self.done.is_set() and not self.cancelled.is_set():
            self.cancelled.set()
            self._set_state("STOPPING")

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)

    # ---- the thread ------------------------------------------------------------------------------

    def _main(self) -> None:
        try:
            self._run()
        except Exception as err:  # a bug here must still end the update, or it stays RUNNING forever
            log.exception("pipeline update %s failed inside the server", self.update_id)
            self._fail(f"internal error in the local workspace: {type(err).__name__}: {err}")
        finally:
            self.done.set()
            self._on_done(self)
            self.setting.release_thread()

    def _run(self) -> None:
        from brickyard.local.runs.pipeline_spec import build_spec
        from brickyard.pipelines.spec import UpdateOptions
        from brickyard.pipelines.worker import PipelineRequest

        self._set_state("WAITING_FOR_RESOURCES")
        try:
            remote = self.setting.compute.default_remote()
            spec = build_spec(self.setting.home, self.record)
        except BrickyardError as err:
            self._fail(str(err))
            return
        if self.cancelled.is_set():
            self._fail("the update was canceled before it started", state="CANCELED")
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        options = UpdateOptions(
            update_id=self.update_id,
            full_refresh=bool(self.doc.get("full_refresh")),
            refresh_selection=tuple(self.doc.get("refresh_selection") or ()),
            full_refresh_selection=tuple(self.doc.get("full_refresh_selection") or ()),
            validate_only=bool(self.doc.get("validate_only")),
            cause=str(self.doc.get("cause") or "API_CALL"),
        )
        request = PipelineRequest(
            spark_remote=remote,
            warehouse=str(self.setting.home.warehouse),
            spec=spec.to_dict(),
            events_file=str(self.events.path),
            result_file=str(self.directory / "result.json"),
            options=options.to_dict(),
        )
        request.write(self.directory / "request.json")
        self.setting.samples.ensure()
        (self.directory / SNAPSHOT_FILE).write_text(self.setting.catalog.load().to_json(), encoding="utf-8")
        tokens = self.setting.tokens
        with tokens.scoped(f"pipeline update {self.update_id}") as token:
            env = {
                "SPARK_REMOTE": remote,
                CATALOG_SYNC_ENV: str(self.directory),
                "DATABRICKS_HOST": self.setting.host,
                "DATABRICKS_TOKEN": token,
            }
            worker = self.setting.pool.run_module(
                WORKER_MODULE,
                [str(self.directory / "request.json")],
                self.directory / "worker.out",
                self.directory,
                env,
            )
            (self.directory / PID_FILE).write_text(str(worker.pid))
            self._watch(worker)
        self._finish(worker)

    def _watch(self, worker: Worker) -> None:
        stopping = False
        while worker.wait(POLL) is None:
            self._drain()
            if self.cancelled.is_set() and not stopping:
                stopping = True
                threading.Thread(target=worker.stop, args=(STOP_GRACE,), daemon=True).start()
        self._drain()

    def _finish(self, worker: Worker) -> None:
        changes = read_changes(self.directory)
        if changes:
            self.setting.catalog.apply(changes)
        (self.directory / PID_FILE).unlink(missing_ok=True)
        try:
            self.result = json.loads((self.directory / "result.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.result = None
        if self.result is None:
            tail = _tail(self.directory / "worker.out")
            message = f"the pipeline worker exited with code {worker.returncode} before reporting a result"
            self._fail(f"{message}: {tail}" if tail else message)
            return
        self.error = self.result.get("error")
        state = str(self.result.get("state") or "FAILED")
        if self._reported == state:  # the worker's last event normally says so already
            self.setting.events.append(self.pipeline_id, self._final_events)
            self._set_state(state)
        else:
            self._fail(self.error or f"the update ended {state}", state=state)

    def _drain(self) -> None:
        events = self.events.read()
        if not events:
            return
        self._seen_events += len(events)
        shown = []
        for event in events:
            state = _progress_state(event)
            if state in FINAL_STATES:
                self._reported = state
                self._final_events.append(event)  # logged once the tables are published
                continue
            shown.append(event)
            if state and not self.cancelled.is_set():
                self._set_state(state)
        self.setting.events.append(self.pipeline_id, shown)

    def _set_state(self, state: str) -> None:
        """Move the update on; an update that has ended stays ended (a late stop changes nothing)."""
        with self._state_lock:
            if self.state in FINAL_STATES and state not in FINAL_STATES:
                return
            self.state = state
            self.setting.pipelines.set_update_state(self.update_id, state)

    def _fail(self, message: str, state: str = "FAILED") -> None:
        """End the update as `state`, with the event log saying why (in the executor's shapes)."""
        from brickyard.pipelines.events import EventLog

        self.error = self.error or message
        sink = _StoreSink(self.setting.events, self.pipeline_id)
        events = EventLog(sink, self.pipeline_id, self.record.name, self.update_id)
        if not self._seen_events:
            events.emit(
                "create_update", f"Update {self.update_id[:6]} started.", {"cause": self.doc.get("cause")}
            )
        events.update_progress(state, error=PipelineError(message) if state == "FAILED" else None)
        self._set_state(state)


class _StoreSink:
    def __init__(self, events: EventStore, pipeline_id: str) -> None:
        self.events = events
        self.pipeline_id = pipeline_id

    def emit(self, event: dict[str, Any]) -> None:
        self.events.append(self.pipeline_id, [event])


def _progress_state(event: dict[str, Any]) -> str:
    """The state an `update_progress` event announces; empty for any other event."""
    if event.get("event_type") != "update_progress":
        return ""
    return str((event.get("details") or {}).get("update_progress", {}).get("state", ""))


def _tail(path: Path, limit: int = 2000) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return text[-limit:].strip()
