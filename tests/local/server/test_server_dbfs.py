"""DBFS API through the SDK: small and streamed uploads, read, list, move, delete."""

from __future__ import annotations

import base64
import io
import os
from typing import Any

import pytest
from databricks.sdk.errors import NotFound, ResourceAlreadyExists

from brickyard.local.protocol import storage_file

pytestmark = pytest.mark.server


def test_put_read_and_the_worker_sees_the_same_file(w: Any, local_ws: Any) -> None:
    w.dbfs.put("dbfs:/t/put/a.txt", contents=base64.b64encode(b"hello").decode(), overwrite=True)
    assert storage_file(local_ws.home / "storage", "dbfs:/t/put/a.txt").read_bytes() == b"hello"
    read = w.dbfs.read("/t/put/a.txt", offset=1, length=3)
    assert (read.bytes_read, base64.b64decode(read.data)) == (3, b"ell")
    with pytest.raises(ResourceAlreadyExists):
        w.dbfs.put("/t/put/a.txt", contents=base64.b64encode(b"x").decode())


def test_large_upload_streams_through_blocks_and_downloads_whole(w: Any) -> None:
    data = os.urandom(2 * 1024 * 1024 + 17)
    w.dbfs.upload("dbfs:/t/big/blob.bin", io.BytesIO(data), overwrite=True)
    assert w.dbfs.get_status("dbfs:/t/big/blob.bin").file_size == len(data)
    assert w.dbfs.download("dbfs:/t/big/blob.bin").read() == data


def test_list_mkdirs_move_delete(w: Any) -> None:
    w.dbfs.mkdirs("/t/tree/sub")
    w.dbfs.put("/t/tree/sub/x", contents=base64.b64encode(b"1").decode())
    listed = {(f.path, f.is_dir) for f in w.dbfs.list("/t/tree")}
    assert listed == {("/t/tree/sub", True)}
    w.dbfs.move("/t/tree/sub", "/t/tree/moved")
    assert [f.path for f in w.dbfs.list("/t/tree/moved")] == ["/t/tree/moved/x"]
    with pytest.raises(Exception, match="not empty") as raised:
        w.api_client.do("POST", "/api/2.0/dbfs/delete", body={"path": "/t/tree/moved"})
    assert raised.value.error_code == "IO_ERROR"
    w.dbfs.delete("/t/tree", recursive=True)
    with pytest.raises(NotFound):
        w.dbfs.get_status("/t/tree")
    with pytest.raises(NotFound):
        w.dbfs.move("/t/none", "/t/other")


def test_mkdirs_through_a_file_is_refused(w: Any) -> None:
    w.dbfs.put("/t/file-in-way", contents=base64.b64encode(b"1").decode(), overwrite=True)
    with pytest.raises(ResourceAlreadyExists):
        w.dbfs.mkdirs("/t/file-in-way/sub")
