"""`brickyard check` on the local workspace: profiles through its SQL warehouse, drift across runs."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brickyard.cli.main import run
from brickyard.local.lifecycle import ensure_running, stop

pytestmark = [pytest.mark.engine, pytest.mark.server]

CHECKS = """
checks:
  tables:
    main.quality.events:
      row_count: {min: 1}
      columns:
        id: {not_null: true, unique: true}
        kind: {accepted_values: [click, view]}
        email: {}
      drift: {null_rate: 0.1}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("checks-project")
    (root / "databricks.yml").write_text("bundle:\n  name: checks\ntargets:\n  local:\n    default: true\n")
    (root / "brickyard.yml").write_text(CHECKS)
    yield root
    stop(root)


def _sql(root: Path, statement: str) -> None:
    from databricks.sdk import WorkspaceClient

    ws = ensure_running(root, write_profile=False)
    w = WorkspaceClient(host=ws.host, token=ws.token, auth_type="pat")
    warehouse = next(iter(w.warehouses.list())).id
    response = w.statement_execution.execute_statement(
        statement=statement, warehouse_id=warehouse, wait_timeout="50s"
    )
    deadline = time.monotonic() + 120
    while response.status.state.value in ("PENDING", "RUNNING") and time.monotonic() < deadline:
        time.sleep(0.2)
        response = w.statement_execution.get_statement(response.statement_id)
    assert response.status.state.value == "SUCCEEDED", response.status


def _check(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, Any, str]:
    monkeypatch.chdir(project)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project))
    capsys.readouterr()
    code = run(["check", "-o", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_checks_pass_then_fail_when_a_null_rate_jumps(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project))
    _sql(project, "CREATE SCHEMA IF NOT EXISTS main.quality")
    _sql(
        project,
        "CREATE TABLE main.quality.events AS SELECT id, CASE WHEN id % 2 = 0 THEN 'click' ELSE 'view' END AS kind, "
        "CASE WHEN id % 20 = 0 THEN NULL ELSE concat('u', id, '@example.com') END AS email FROM range(1000)",
    )
    code, report, err = _check(project, monkeypatch, capsys)
    assert code == 0, err
    [profile] = report["profiles"]
    assert profile["rows"] == 1000 and profile["columns"]["email"]["nulls"] == 50
    assert report["failures"] == []

    _sql(
        project,
        "INSERT INTO main.quality.events SELECT id, 'purchase' AS kind, NULL AS email FROM range(1000, 1600)",
    )
    code, report, err = _check(project, monkeypatch, capsys)
    assert code == 1
    assert {f["check"] for f in report["failures"]} == {"kind: accepted_values", "drift: email null rate"}
    assert "data checks failed on main.quality.events" in err


def test_undeclared_tables_are_a_usage_error(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project))
    assert run(["check", "main.other.*"]) == 2
    assert "no checks declared for main.other.*" in capsys.readouterr().err
