"""A pipeline update's end, on real stores: the update (and its event log) says COMPLETED only once
the tables it wrote are in the workspace catalog, so a client that sees COMPLETED finds them.

The worker is a stand-in that leaves what the pipeline worker leaves (its events, its result and its
session's catalog changes) and exits; publishing is held up by an injected delay."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brickyard.local.home import LocalHome
from brickyard.local.runs.catalog import CHANGES_FILE
from brickyard.local.runs.tokens import RunTokens
from brickyard.local.runs.update_execution import UpdateSetting
from brickyard.local.runs.updates import PipelineUpdates
from brickyard.local.samples import Samples
from brickyard.local.store.catalog import CatalogChanges, CatalogStore, TableEntry
from brickyard.local.store.db import Database
from brickyard.local.store.pipeline_events import EventStore
from brickyard.local.store.pipelines import PipelineStore
from brickyard.pipelines.events import EventLog, JsonLinesSink

TABLE = TableEntry("main", "sales", "orders", "MANAGED", "delta", "/warehouse/orders")


class _Exited:
    pid = 999_999_999
    returncode = 0

    def wait(self, timeout: float | None) -> int:
        return 0

    def stop(self, grace: float) -> int:
        return 0


class FinishedWorkerPool:
    """Runs the pipeline worker's part instantly: events, result and catalog changes, as written."""

    def __init__(self, state: str = "COMPLETED") -> None:
        self.state = state
        self.envs: list[dict[str, str]] = []

    def run_module(self, module: str, args: list[str], out: Path, cwd: Path, env: dict[str, str]) -> _Exited:
        self.envs.append(env)
        request = json.loads(Path(args[0]).read_text())
        update_id = request["options"]["update_id"]
        log = EventLog(JsonLinesSink(Path(request["events_file"])), "p", "p", update_id)
        log.emit("create_update", "started", {"cause": "API_CALL"})
        log.update_progress("RUNNING")
        log.update_progress(self.state)
        Path(request["result_file"]).write_text(json.dumps({"state": self.state}))
        changes = CatalogChanges([("main", "sales")], [], [TABLE], [])
        (cwd / CHANGES_FILE).write_text(json.dumps(changes.as_json()))
        return _Exited()


class EngineStandIn:
    def default_remote(self) -> str:
        return "sc://127.0.0.1:1"


class SlowCatalog(CatalogStore):
    """Publishing waits for the test's go: the window in which a client used to see COMPLETED."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.publishing = threading.Event()
        self.go = threading.Event()

    def apply(self, changes: CatalogChanges) -> None:
        if all(t.catalog == "samples" for t in changes.upserted) and not changes.dropped:
            super().apply(changes)  # the sample data registered before the worker starts
            return
        self.publishing.set()
        assert self.go.wait(30)
        super().apply(changes)


@pytest.fixture
def parts(tmp_path: Path) -> Iterator[dict[str, Any]]:
    home = LocalHome(tmp_path)
    home.create()
    db = Database(home.metadata_db)
    pipelines, events, catalog = PipelineStore(db), EventStore(db), SlowCatalog(db)
    pool, tokens = FinishedWorkerPool(), RunTokens("dapi-master")
    setting = UpdateSetting(
        home,
        pipelines,
        events,
        catalog,
        EngineStandIn(),
        pool,
        tokens,
        "http://h",
        db.release_thread,  # type: ignore[arg-type]
        Samples(home, catalog),
    )
    record = pipelines.create(
        "p", {"name": "p", "catalog": "main", "schema": "sales", "libraries": []}, "me", None
    )
    yield {"updates": PipelineUpdates(setting), "record": record, **locals()}
    db.close()


def _logged_states(events: EventStore, update_id: str) -> list[str]:
    return [
        e["details"]["update_progress"]["state"]
        for e in events.of_update("p", update_id)
        if e["event_type"] == "update_progress"
    ]


def test_an_update_is_completed_only_after_its_tables_are_published(parts: dict[str, Any]) -> None:
    catalog, pipelines, events = parts["catalog"], parts["pipelines"], parts["events"]
    execution = parts["updates"].start(parts["record"], {})
    assert catalog.publishing.wait(30)

    assert pipelines.get_update("p", execution.update_id)["state"] == "RUNNING"
    assert "COMPLETED" not in _logged_states(events, execution.update_id)
    assert parts["updates"].active("p") is execution
    assert not catalog.tables("main")

    catalog.go.set()
    assert execution.wait(30)
    assert pipelines.get_update("p", execution.update_id)["state"] == "COMPLETED"
    assert _logged_states(events, execution.update_id)[-1] == "COMPLETED"
    assert [t.name for t in catalog.tables("main", "sales")] == ["orders"]


def test_an_update_runs_with_a_token_of_its_own_that_ends_with_it(parts: dict[str, Any]) -> None:
    parts["catalog"].go.set()
    execution = parts["updates"].start(parts["record"], {})
    assert execution.wait(30)
    env = parts["pool"].envs[0]
    assert env["DATABRICKS_HOST"] == "http://h"
    assert env["DATABRICKS_TOKEN"].startswith("dkea") and env["DATABRICKS_TOKEN"] != "dapi-master"
    assert not parts["tokens"].accepts(env["DATABRICKS_TOKEN"]) and parts["tokens"].active() == 0
