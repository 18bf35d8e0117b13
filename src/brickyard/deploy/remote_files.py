"""Artifact files where they live: the workspace tree, a Unity Catalog volume (Files API) or DBFS.

Libraries go under the artifact path in the workspace; init scripts may go to a volume or DBFS
(`resources.init_scripts`). Upload, existence and download pick the API by the path's shape, so
deploy, rollback and promotion treat all three alike.
"""

from __future__ import annotations

import io
from typing import Any


def upload(client: Any, remote: str, data: bytes) -> None:
    from databricks.sdk.service.workspace import ImportFormat

    if remote.startswith("/Volumes/"):
        client.files.create_directory(remote.rsplit("/", 1)[0])
        client.files.upload(remote, io.BytesIO(data), overwrite=True)
    elif remote.startswith("dbfs:"):
        client.dbfs.mkdirs(_dbfs(remote).rsplit("/", 1)[0])
        client.dbfs.upload(_dbfs(remote), io.BytesIO(data), overwrite=True)
    else:
        client.workspace.mkdirs(remote.rsplit("/", 1)[0])
        client.workspace.upload(remote, io.BytesIO(data), format=ImportFormat.AUTO, overwrite=True)


def exists(client: Any, remote: str) -> bool:
    from databricks.sdk.errors import NotFound

    try:
        if remote.startswith("/Volumes/"):
            client.files.get_metadata(remote)
        elif remote.startswith("dbfs:"):
            client.dbfs.get_status(_dbfs(remote))
        else:
            client.workspace.get_status(remote)
    except NotFound:
        return False
    return True


def download(client: Any, remote: str) -> bytes:
    """The file's bytes; NotFound when it is gone."""
    if remote.startswith("/Volumes/"):
        contents = client.files.download(remote).contents
        return bytes(contents.read()) if contents is not None else b""
    if remote.startswith("dbfs:"):
        with client.dbfs.download(_dbfs(remote)) as handle:
            return bytes(handle.read())
    with client.workspace.download(remote) as handle:
        return bytes(handle.read())


def _dbfs(remote: str) -> str:
    return remote.removeprefix("dbfs:")
