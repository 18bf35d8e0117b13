"""`brickyard sync push|pull` against the local workspace: round trips and refusals to overwrite edits."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brickyard.cli.main import run
from brickyard.local.lifecycle import ensure_running, stop

pytestmark = pytest.mark.server

NOTEBOOKS = {
    "etl/ingest.py": "# Databricks notebook source\nprint('ingest')\n\n# COMMAND ----------\n\nx = 1\n",
    "reports/daily.sql": "-- Databricks notebook source\nSELECT 1 AS one\n",
    "legacy/job.scala": '// Databricks notebook source\nprintln("hi")\n',
    "stats/model.r": "# Databricks notebook source\nprint(1 + 1)\n",
    "eda/explore.ipynb": json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "metadata": {},
                    "source": ["print('explore')"],
                    "outputs": [],
                    "execution_count": None,
                }
            ],
            "metadata": {"language_info": {"name": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    ),
    "helpers/util.py": "def helper():\n    return 42\n",
    "data/lookup.csv": "a,b\n1,2\n",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("sync-project")
    (root / "databricks.yml").write_text("bundle:\n  name: sync\ntargets:\n  local:\n    default: true\n")
    yield root
    stop(root)


@pytest.fixture
def client(project: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from databricks.sdk import WorkspaceClient

    monkeypatch.chdir(project)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(project))
    ws = ensure_running(project, write_profile=False)
    return WorkspaceClient(host=ws.host, token=ws.token, auth_type="pat")


def _write(folder: Path) -> None:
    for name, text in NOTEBOOKS.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


def test_every_language_round_trips_byte_for_byte(
    project: Path, client: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = project / "rt"
    _write(folder)
    remote = "/Users/tester@brickyard.local/feature-x/rt"
    assert run(["sync", "push", "rt", "--to", remote, "-o", "json"]) == 0
    pushed = json.loads(capsys.readouterr().out)
    assert sorted(pushed["written"]) == sorted(NOTEBOOKS)
    kinds = {o.path: o.object_type.value for o in client.workspace.list(remote, recursive=True)}
    assert kinds[f"{remote}/etl/ingest"] == "NOTEBOOK" and kinds[f"{remote}/eda/explore"] == "NOTEBOOK"
    assert kinds[f"{remote}/helpers/util.py"] == "FILE" and kinds[f"{remote}/data/lookup.csv"] == "FILE"

    assert run(["sync", "pull", "rt", "--from", remote, "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["written"] == []  # nothing changed on either side
    for name, text in NOTEBOOKS.items():
        assert (folder / name).read_text() == text

    fresh = tmp_path / "fresh"
    assert run(["sync", "pull", str(fresh), "--from", remote, "-o", "json"]) == 0
    fetched = json.loads(capsys.readouterr().out)["written"]
    for name, text in NOTEBOOKS.items():
        if not name.endswith(".ipynb"):
            assert (fresh / name).read_bytes() == text.encode(), name
    # without a record of the first push, a notebook comes back in source form, as an export would
    assert (fresh / "eda/explore.py").read_text().startswith("# Databricks notebook source")
    assert "print('explore')" in (fresh / "eda/explore.py").read_text()

    # The folder spelled with its /Workspace prefix is the same folder: the same names come back.
    prefixed = tmp_path / "prefixed"
    assert run(["sync", "pull", str(prefixed), "--from", f"/Workspace{remote}", "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["written"] == fetched
    assert "etl/ingest.py" in fetched


def test_a_push_never_overwrites_a_workspace_edit(
    project: Path, client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from databricks.sdk.service.workspace import ImportFormat, Language

    folder = project / "guarded"
    _write(folder)
    remote = "/Users/tester@brickyard.local/main/guarded"
    assert run(["sync", "push", "guarded", "--to", remote]) == 0
    edited = "# Databricks notebook source\nprint('edited in the UI')\n"
    client.workspace.import_(
        f"{remote}/etl/ingest",
        content=base64.b64encode(edited.encode()).decode(),
        format=ImportFormat.SOURCE,
        language=Language.PYTHON,
        overwrite=True,
    )
    (folder / "etl/ingest.py").write_text(NOTEBOOKS["etl/ingest.py"] + "\ny = 2\n")
    capsys.readouterr()
    assert run(["sync", "push", "guarded", "--to", remote]) == 1
    err = capsys.readouterr().err
    assert "changed in the workspace since the last sync" in err and f"{remote}/etl/ingest" in err
    exported = client.workspace.export(f"{remote}/etl/ingest")
    assert "edited in the UI" in base64.b64decode(exported.content).decode()

    # the local edit is also protected from a pull
    assert run(["sync", "pull", "guarded", "--from", remote]) == 1
    assert "changed locally since the last sync" in capsys.readouterr().err
    assert run(["sync", "pull", "guarded", "--from", remote, "--overwrite"]) == 0
    assert "edited in the UI" in (folder / "etl/ingest.py").read_text()
    capsys.readouterr()
    assert run(["sync", "push", "guarded", "--to", remote, "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["written"] == []


def test_the_default_folder_is_the_users_branch_folder(
    project: Path, client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", "-b", "feature/login"], cwd=project, check=True)
    folder = project / "notebooks"
    folder.mkdir(exist_ok=True)
    (folder / "a.py").write_text("# Databricks notebook source\nprint('a')\n")
    assert run(["sync", "push", "-o", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["remote"] == "/Users/tester@brickyard.local/feature/login/notebooks"
    assert client.workspace.get_status(report["remote"] + "/a").object_type.value == "NOTEBOOK"


def test_options_of_sync_itself_before_push_are_refused(
    project: Path, client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sync --dry-run push` would otherwise push for real: the group's options are not push's."""
    (project / "notebooks").mkdir(exist_ok=True)
    assert run(["sync", "--dry-run", "push", "notebooks", "--to", "/Users/tester@brickyard.local/x"]) == 2
    assert "--dry-run before `push` would be ignored" in capsys.readouterr().err
