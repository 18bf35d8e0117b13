"""Pipeline specs from API settings, names, and the event log's shape (no engine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from databricks.sdk.service.pipelines import PipelineEvent

from brickyard.errors import PipelineError
from brickyard.pipelines import Library, ListSink, PipelineSpec, UpdateOptions
from brickyard.pipelines.events import EventLog, update_state
from brickyard.pipelines.names import Names


def test_a_spec_from_pipeline_settings_resolves_workspace_paths(tmp_path: Path) -> None:
    settings = {
        "name": "sales",
        "catalog": "main",
        "schema": "sales_dev",
        "development": True,
        "configuration": {"source": "/Volumes/main/raw/orders", "limit": 5},
        "libraries": [
            {"file": {"path": "/Workspace/p/ingest.py"}},
            {"notebook": {"path": "/Users/a@b.c/clean"}},
            {"glob": {"include": "/Workspace/p/transformations/**"}},
        ],
        "root_path": "/Workspace/p",
    }

    spec = PipelineSpec.from_settings(
        settings,
        pipeline_id="123",
        storage=tmp_path / "st",
        resolve_path=lambda p: tmp_path / "ws" / p.lstrip("/"),
    )

    assert spec.libraries == (
        Library("file", str(tmp_path / "ws/Workspace/p/ingest.py")),
        Library("notebook", str(tmp_path / "ws/Users/a@b.c/clean")),
        Library("glob", str(tmp_path / "ws/Workspace/p/transformations/**")),
    )
    assert (spec.catalog, spec.schema, spec.development) == ("main", "sales_dev", True)
    assert spec.configuration == {"source": "/Volumes/main/raw/orders", "limit": "5"}
    assert PipelineSpec.from_dict(spec.to_dict()) == spec


def test_legacy_target_publishes_to_hive_metastore_and_jars_are_refused(tmp_path: Path) -> None:
    spec = PipelineSpec.from_settings(
        {"target": "legacy", "libraries": []}, pipeline_id="1", storage=tmp_path, resolve_path=Path
    )
    assert (spec.catalog, spec.schema) == ("hive_metastore", "legacy")

    with pytest.raises(PipelineError, match="jar"):
        PipelineSpec.from_settings(
            {"libraries": [{"jar": "x.jar"}]}, pipeline_id="1", storage=tmp_path, resolve_path=Path
        )


def test_update_options_round_trip() -> None:
    options = UpdateOptions(full_refresh_selection=("a",), validate_only=True)

    assert UpdateOptions.from_dict(options.to_dict()) == options


def test_names_qualify_live_and_partial_references() -> None:
    names = Names("main", "sales")

    assert names.key("orders") == names.key("LIVE.orders") == names.key("Sales.Orders") == "main.sales.orders"
    assert names.key("other.orders") == "main.other.orders"
    assert names.key("`my.cat`.s.t") == "my.cat.s.t"
    assert Names(None, None).key("LIVE.orders") == "orders"


def test_events_parse_as_sdk_pipeline_events() -> None:
    sink = ListSink()
    log = EventLog(sink, "pid", "name", "uid")

    log.update_progress("RUNNING")
    log.flow_progress("f", "d", "FAILED", error=ValueError("boom"))

    parsed = [PipelineEvent.from_dict(e) for e in sink.events]
    assert parsed[0].origin is not None and parsed[0].origin.update_id == "uid"
    assert parsed[1].error is not None and parsed[1].error.exceptions is not None
    assert parsed[1].error.exceptions[0].class_name == "ValueError"
    assert parsed[1].level is not None and parsed[1].level.value == "ERROR"
    assert sink.events[1]["details"] == {"flow_progress": {"status": "FAILED"}}


def test_update_state_is_the_last_progress_of_that_update() -> None:
    sink = ListSink()
    EventLog(sink, "p", "n", "u1").update_progress("RUNNING")
    EventLog(sink, "p", "n", "u2").update_progress("FAILED")
    EventLog(sink, "p", "n", "u1").update_progress("COMPLETED")

    assert update_state(sink.events, "u1") == "COMPLETED"
    assert update_state(sink.events, "u2") == "FAILED"
    assert update_state(sink.events, "u3") is None
