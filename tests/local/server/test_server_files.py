"""Files API through the SDK: volume files land where tasks read them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from databricks.sdk.errors import AlreadyExists, NotFound, ResourceConflict

from brickyard.local.protocol import storage_file

pytestmark = pytest.mark.server

VOLUME = "/Volumes/main/default/landing"


def test_upload_download_metadata_and_delete(w: Any, local_ws: Any) -> None:
    w.files.upload(f"{VOLUME}/in/a.csv", io.BytesIO(b"id\n1\n2\n"))
    assert storage_file(local_ws.home / "storage", f"{VOLUME}/in/a.csv").read_bytes() == b"id\n1\n2\n"
    assert w.files.download(f"{VOLUME}/in/a.csv").contents.read() == b"id\n1\n2\n"
    meta = w.files.get_metadata(f"{VOLUME}/in/a.csv")
    assert meta.content_length == 7 and meta.last_modified
    with pytest.raises(AlreadyExists):
        w.files.upload(f"{VOLUME}/in/a.csv", io.BytesIO(b"x"), overwrite=False)
    w.files.upload(f"{VOLUME}/in/a.csv", io.BytesIO(b"x"), overwrite=True)
    w.files.delete(f"{VOLUME}/in/a.csv")
    with pytest.raises(NotFound):
        w.files.get_metadata(f"{VOLUME}/in/a.csv")


def test_directories_list_and_refuse_deleting_when_not_empty(w: Any) -> None:
    w.files.create_directory(f"{VOLUME}/tree/sub")
    w.files.upload(f"{VOLUME}/tree/f.txt", io.BytesIO(b"1"))
    listed = {(e.name, e.is_directory) for e in w.files.list_directory_contents(f"{VOLUME}/tree")}
    assert listed == {("sub", True), ("f.txt", False)}
    w.files.get_directory_metadata(f"{VOLUME}/tree")
    with pytest.raises(ResourceConflict):
        w.files.delete_directory(f"{VOLUME}/tree")
    w.files.delete_directory(f"{VOLUME}/tree/sub")
    with pytest.raises(NotFound):
        w.files.get_directory_metadata(f"{VOLUME}/tree/sub")
