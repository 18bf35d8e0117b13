"""Workspace API through the SDK: import formats, export, list, status, mkdirs, delete."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from databricks.sdk.errors import InvalidParameterValue, NotFound, ResourceAlreadyExists
from databricks.sdk.service.workspace import ExportFormat, ImportFormat, Language, ObjectType

from brickyard.local.protocol import workspace_file

pytestmark = pytest.mark.server

NOTEBOOK = b"# Databricks notebook source\nprint(1)\n\n# COMMAND ----------\n\nprint(2)\n"


def test_source_import_makes_a_notebook_stored_as_the_worker_reads_it(
    w: Any, scratch: str, local_ws: Any
) -> None:
    w.workspace.import_(
        f"{scratch}/etl", content=base64.b64encode(b"print('hi')\n").decode(), language=Language.PYTHON
    )
    info = w.workspace.get_status(f"/Workspace{scratch}/etl")
    assert (info.object_type, info.language, info.path) == (
        ObjectType.NOTEBOOK,
        Language.PYTHON,
        f"{scratch}/etl",
    )
    stored = workspace_file(local_ws.home / "workspace", f"/Workspace{scratch}/etl").read_text()
    assert stored == "# Databricks notebook source\nprint('hi')\n"
    exported = w.workspace.export(f"{scratch}/etl", format=ExportFormat.SOURCE)
    assert base64.b64decode(exported.content) == stored.encode()


def test_auto_upload_strips_the_extension_of_notebooks_only(w: Any, scratch: str) -> None:
    w.workspace.upload(f"{scratch}/job.py", io.BytesIO(NOTEBOOK), format=ImportFormat.AUTO)
    w.workspace.upload(f"{scratch}/lib.py", io.BytesIO(b"X = 1\n"), format=ImportFormat.AUTO)
    listed = {o.path: o.object_type for o in w.workspace.list(scratch)}
    assert listed == {f"{scratch}/job": ObjectType.NOTEBOOK, f"{scratch}/lib.py": ObjectType.FILE}
    assert w.workspace.download(f"{scratch}/lib.py").read() == b"X = 1\n"


def test_cli_import_file_endpoint_detects_notebooks(w: Any, scratch: str) -> None:
    path = f"Workspace{scratch}/nb.py"
    w.api_client.do(
        "POST", f"/api/2.0/workspace-files/import-file/{path}", query={"overwrite": "true"}, data=NOTEBOOK
    )
    assert w.workspace.get_status(f"{scratch}/nb").object_type == ObjectType.NOTEBOOK
    with pytest.raises(ResourceAlreadyExists):
        w.api_client.do("POST", f"/api/2.0/workspace-files/import-file/{path}", data=NOTEBOOK)


def test_jupyter_round_trip(w: Any, scratch: str) -> None:
    ipynb = {
        "cells": [
            {"cell_type": "code", "source": ["x = 41\n", "print(x + 1)"], "metadata": {}, "outputs": []}
        ],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    content = base64.b64encode(json.dumps(ipynb).encode()).decode()
    w.workspace.import_(f"{scratch}/nb", content=content, format=ImportFormat.JUPYTER)
    source = w.workspace.download(f"{scratch}/nb", format=ExportFormat.SOURCE).read().decode()
    assert source.startswith("# Databricks notebook source") and "print(x + 1)" in source
    back = json.loads(w.workspace.download(f"{scratch}/nb", format=ExportFormat.JUPYTER).read())
    assert "print(x + 1)" in "".join("".join(c["source"]) for c in back["cells"])


def test_import_errors_are_typed(w: Any, scratch: str) -> None:
    w.workspace.upload(f"{scratch}/f.txt", io.BytesIO(b"a"), format=ImportFormat.AUTO)
    with pytest.raises(ResourceAlreadyExists):
        w.workspace.upload(f"{scratch}/f.txt", io.BytesIO(b"b"), format=ImportFormat.AUTO)
    w.workspace.upload(f"{scratch}/f.txt", io.BytesIO(b"b"), format=ImportFormat.AUTO, overwrite=True)
    assert w.workspace.download(f"{scratch}/f.txt").read() == b"b"
    with pytest.raises(NotFound, match="parent folder"):
        w.workspace.upload(f"{scratch}/missing/f.txt", io.BytesIO(b"a"), format=ImportFormat.AUTO)
    with pytest.raises(InvalidParameterValue):
        w.workspace.import_(f"{scratch}/x", content="", format=ImportFormat.SOURCE)
    with pytest.raises(InvalidParameterValue):
        w.workspace.import_(f"{scratch}/x", content="!!", format=ImportFormat.AUTO)


def test_mkdirs_list_and_recursive_delete(w: Any, scratch: str) -> None:
    w.workspace.mkdirs(f"{scratch}/a/b/c")
    w.workspace.upload(f"{scratch}/a/b/c/f.txt", io.BytesIO(b"x"), format=ImportFormat.AUTO)
    everything = [o.path for o in w.workspace.list(scratch, recursive=True)]
    assert everything == [f"{scratch}/a/b/c/f.txt"]
    folder = w.workspace.get_status(f"{scratch}/a")
    assert folder.object_type == ObjectType.DIRECTORY and folder.object_id > 0
    assert w.workspace.get_status(f"{scratch}/a").object_id == folder.object_id
    with pytest.raises(Exception, match="not empty") as raised:
        w.workspace.delete(f"{scratch}/a")
    assert raised.value.error_code == "DIRECTORY_NOT_EMPTY"
    w.workspace.delete(f"{scratch}/a", recursive=True)
    with pytest.raises(NotFound):
        w.workspace.get_status(f"{scratch}/a")
    with pytest.raises(NotFound):
        list(w.workspace.list(f"{scratch}/a"))


def test_folder_exports_as_a_zip_of_sources(w: Any, scratch: str) -> None:
    import zipfile

    w.workspace.upload(f"{scratch}/job.py", io.BytesIO(NOTEBOOK), format=ImportFormat.AUTO)
    w.workspace.upload(f"{scratch}/data.csv", io.BytesIO(b"a,b\n"), format=ImportFormat.AUTO)
    archive = zipfile.ZipFile(io.BytesIO(w.workspace.download(scratch).read()))
    assert sorted(archive.namelist()) == ["data.csv", "job.py"]
    assert archive.read("job.py") == NOTEBOOK
