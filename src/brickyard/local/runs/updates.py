"""The Pipelines service: starts, stops and tracks updates, one active update per pipeline.

As on a workspace, a pipeline runs one update at a time: starting another while one is active is
refused with 409 RESOURCE_CONFLICT and the active update keeps running. Updates the server left
active when it stopped cannot be resumed (their workers died with it, or are ended now); at the
next start they are closed as FAILED so that nobody polls them forever.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.procs import is_worker_process
from brickyard.local.runs.update_execution import FINAL_STATES, PID_FILE, UpdateExecution, UpdateSetting
from brickyard.local.store.pipelines import PipelineRecord

CAUSES = (
    "API_CALL",
    "RETRY_ON_FAILURE",
    "SERVICE_UPGRADE",
    "SCHEMA_CHANGE",
    "JOB_TASK",
    "USER_ACTION",
    "INFRASTRUCTURE_MAINTENANCE",
)
log = logging.getLogger("brickyard.local")


class PipelineUpdates:
    def __init__(self, setting: UpdateSetting) -> None:
        self.setting = setting
        self._lock = threading.Lock()
        self._active: dict[str, UpdateExecution] = {}
        self._closing = False

    def start(self, record: PipelineRecord, body: dict[str, Any], cause: str = "API_CALL") -> UpdateExecution:
        """Start an update of `record` with the options of a start-update body."""
        options = _options(body)
        cause = str(body.get("cause") or cause)
        if cause not in CAUSES:
            raise ApiError.invalid(f"cause must be one of {', '.join(CAUSES)}; got {cause!r}")
        with self._lock:
            if self._closing:
                raise ApiError(503, "TEMPORARILY_UNAVAILABLE", "the local workspace is shutting down")
            running = self.active(record.pipeline_id)
            if running is not None:
                raise ApiError.conflict(
                    f"Cannot start a new update of pipeline {record.pipeline_id}: its active update "
                    f"{running.update_id} is {running.state}. Wait for it to finish or stop it first."
                )
            doc = {
                "pipeline_id": record.pipeline_id,
                "update_id": self.setting.pipelines.new_id(),
                "config": record.spec,
                "cause": cause,
                "state": "CREATED",
                "creation_time": int(time.time() * 1000),
                "mode": "DEFAULT",
                **options,
            }
            self.setting.pipelines.add_update(doc)
            execution = UpdateExecution(self.setting, record, doc, self._finished)
            self._active[record.pipeline_id] = execution
        execution.start()
        return execution

    def active(self, pipeline_id: str) -> UpdateExecution | None:
        """The pipeline's update in progress; one whose final state is written counts no longer,
        though its thread may still be tidying up."""
        execution = self._active.get(pipeline_id)
        return None if execution is None or execution.state in FINAL_STATES else execution

    def running(self) -> int:
        return len(self._active)

    def stop(self, pipeline_id: str) -> UpdateExecution | None:
        """Cancel the pipeline's active update, if it has one (a no-op otherwise, as on a workspace)."""
        execution = self._active.get(pipeline_id)
        if execution is not None:
            execution.stop()
        return execution

    def _finished(self, execution: UpdateExecution) -> None:
        with self._lock:
            if self._active.get(execution.pipeline_id) is execution:
                del self._active[execution.pipeline_id]

    def recover(self) -> int:
        """Close updates a previous server left active; returns how many."""
        unfinished = self.setting.pipelines.unfinished_updates()
        for doc in unfinished:
            pid_file = self.setting.home.root / "pipelines" / doc["pipeline_id"] / doc["update_id"] / PID_FILE
            _end_orphan(pid_file)
            self.setting.pipelines.set_update_state(doc["update_id"], "FAILED")
        return len(unfinished)

    def shutdown(self, timeout: float = 20.0) -> None:
        """Stop every active update and wait for it to end, so the store says how it ended."""
        with self._lock:
            self._closing = True
            active = list(self._active.values())
        for execution in active:
            execution.stop()
        deadline = time.monotonic() + timeout
        for execution in active:
            if not execution.wait(max(0.0, deadline - time.monotonic())):
                log.warning("pipeline update %s did not stop within %.0fs", execution.update_id, timeout)


def _options(body: dict[str, Any]) -> dict[str, Any]:
    def names(key: str) -> list[str]:
        value = body.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ApiError.invalid(f"{key} must be a list of table names")
        return list(value)

    refresh, full = names("refresh_selection"), names("full_refresh_selection")
    full_refresh = bool(body.get("full_refresh"))
    if full_refresh and (refresh or full):
        raise ApiError.invalid(
            "full_refresh cannot be combined with refresh_selection or full_refresh_selection"
        )
    return {
        "full_refresh": full_refresh,
        "refresh_selection": refresh,
        "full_refresh_selection": full,
        "validate_only": bool(body.get("validate_only")),
    }


def _end_orphan(pid_file: os.PathLike[str]) -> None:
    try:
        with open(pid_file, encoding="utf-8") as handle:
            pid = int(handle.read().strip())
    except (OSError, ValueError):
        return
    if is_worker_process(pid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
