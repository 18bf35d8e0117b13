"""A notebook edited in the workspace is not overwritten by the next deploy unless it is forced."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from databricks.sdk.service.workspace import ImportFormat, Language

from brickyard.deploy.edits import WorkspaceEditsError
from tests.deploy.conftest import Project
from tests.deploy.test_deploy import NOTEBOOK, _project


def _edit_in_workspace(client: Any, path: str, text: str, notebook: bool = True) -> None:
    """What saving in the workspace UI does: new content, a later modified_at."""
    before = client.workspace.get_status(path).modified_at
    form = (
        {"format": ImportFormat.SOURCE, "language": Language.PYTHON}
        if notebook
        else {"format": ImportFormat.AUTO}
    )
    while True:
        client.workspace.upload(path, io.BytesIO(text.encode()), overwrite=True, **form)
        if client.workspace.get_status(path).modified_at != before:
            return
        time.sleep(0.01)


def _read(client: Any, path: str) -> str:
    with client.workspace.download(path) as handle:
        return str(handle.read().decode())


def test_deploy_refuses_to_replace_a_notebook_edited_in_the_workspace(project: Project, client: Any) -> None:
    _project(project).deploy()
    notebook = f"{project.files_path}/notebooks/greet"
    edited = NOTEBOOK.replace("hello ", "hi there ")
    _edit_in_workspace(client, notebook, "# Databricks notebook source\nprint('edited in the workspace')\n")
    project.write({"notebooks/greet.py": edited, "jobs/report.py": "print('report v2')\n"})
    state_before = project.state()

    with pytest.raises(WorkspaceEditsError) as refused:
        project.deploy()
    message = str(refused.value)
    assert "notebooks/greet.py" in message and project.files_path in message and "--force" in message
    assert "report.py" not in str(refused.value)  # only the edited file is named
    # Nothing was written: neither the edited notebook nor the other changed file, nor the state.
    assert "edited in the workspace" in _read(client, notebook)
    assert _read(client, f"{project.files_path}/jobs/report.py") == "print('report')\n"
    assert project.state() == state_before

    report = project.deploy(force=True)
    assert report.files_uploaded == 2
    assert "hi there" in _read(client, notebook)
    project.write({"jobs/report.py": "print('report v3')\n"})
    assert project.deploy().files_uploaded == 1  # what deploy wrote itself is no workspace edit


def test_a_file_edited_in_the_workspace_is_not_deleted_either(project: Project, client: Any) -> None:
    _project(project).deploy()
    readme = f"{project.files_path}/README.md"
    _edit_in_workspace(client, readme, "notes kept in the workspace\n", notebook=False)
    (project.root / "README.md").unlink()
    with pytest.raises(WorkspaceEditsError, match=r"README\.md"):
        project.deploy()
    assert _read(client, readme) == "notes kept in the workspace\n"


def test_an_unchanged_file_edited_in_the_workspace_keeps_its_edit(project: Project, client: Any) -> None:
    _project(project).deploy()
    notebook = f"{project.files_path}/notebooks/greet"
    _edit_in_workspace(client, notebook, "# Databricks notebook source\nprint('edited')\n")
    project.write({"jobs/report.py": "print('report v2')\n"})
    assert project.deploy().files_uploaded == 1  # the notebook is not touched, so nothing is refused
    assert "edited" in _read(client, notebook)


def test_sync_refuses_too_and_full_overwrites(project: Project, client: Any) -> None:
    from brickyard.sync.bundle import BundleSyncOptions, sync_bundle

    _project(project).deploy()
    notebook = f"{project.files_path}/notebooks/greet"
    _edit_in_workspace(client, notebook, "# Databricks notebook source\nprint('edited')\n")
    project.write({"notebooks/greet.py": NOTEBOOK.replace("hello ", "hey ")})
    with pytest.raises(WorkspaceEditsError, match="--full"):
        sync_bundle(project.context(), BundleSyncOptions())
    assert "edited" in _read(client, notebook)
    sync_bundle(project.context(), BundleSyncOptions(full=True))
    assert "hey " in _read(client, notebook)
