"""Where backups live: a folder, a Unity Catalog volume, or an object store.

One small interface (`Location`) over three backends. Folders are plain file copies. Object stores
(`s3://`, `abfss://`, `az://`, `gs://`) go through obstore, which reads each cloud's usual environment
variables for credentials (`AWS_*`, `AZURE_STORAGE_*`, `GOOGLE_*`); no cloud SDK is needed.
`/Volumes/<catalog>/<schema>/<volume>/…` goes through the workspace's Files API with the target's
own client, so a backup can sit in a volume of the workspace it protects or of another one.
Keys are always `/`-separated and relative to the location's root.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from brickyard.errors import RecoveryError

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

CHUNK = 8 * 1024 * 1024
_OBJECT_SCHEMES = ("s3://", "s3a://", "abfss://", "az://", "azure://", "gs://", "gcs://", "file://")


class Location(Protocol):
    url: str

    def size(self, key: str) -> int | None:
        """The object's size, or None when there is no such object."""
        ...

    def put_file(self, key: str, source: Path) -> str:
        """Store a local file; returns its sha256."""
        ...

    def put_bytes(self, key: str, data: bytes) -> None: ...

    def get_bytes(self, key: str) -> bytes: ...

    def get_file(self, key: str, dest: Path) -> str:
        """Copy an object to a local file; returns its sha256."""
        ...

    def list(self, prefix: str) -> list[str]:
        """Keys under `prefix` (a folder, without trailing slash)."""
        ...

    def delete(self, key: str) -> None: ...


def open_location(spec: str, base: Path, client: WorkspaceClient | None = None) -> Location:
    """`spec` as the user wrote it; relative folders are relative to `base` (the project root)."""
    spec = spec.strip()
    if not spec:
        raise RecoveryError("the backup location is empty")
    if spec.startswith(("/Volumes/", "dbfs:/Volumes/")):
        if client is None:
            raise RecoveryError(f"{spec} is a volume: it needs a target to reach it")
        return VolumeLocation(client, spec.removeprefix("dbfs:").rstrip("/"))
    if spec.startswith(_OBJECT_SCHEMES):
        return ObjectLocation.from_url(spec)
    if "://" in spec:
        raise RecoveryError(
            f"unsupported backup location {spec!r}: use a folder, /Volumes/…, s3://, abfss://, az:// or gs://"
        )
    return FolderLocation.create((base / spec).resolve())


@dataclass
class ObjectLocation:
    url: str
    store: Any

    @classmethod
    def from_url(cls, url: str) -> ObjectLocation:
        from obstore.store import from_url

        if url.startswith("file://"):
            return FolderLocation.create(Path(url.removeprefix("file://")))  # type: ignore[return-value]
        normalized = "s3://" + url.removeprefix("s3a://") if url.startswith("s3a://") else url
        try:
            store = from_url(normalized.rstrip("/"))
        except Exception as err:  # obstore raises its own error types for bad URLs and options
            raise RecoveryError(f"cannot open backup location {url}: {err}") from None
        return cls(url.rstrip("/"), store)

    def size(self, key: str) -> int | None:
        import obstore

        try:
            return int(obstore.head(self.store, key)["size"])
        except FileNotFoundError:
            return None

    def put_file(self, key: str, source: Path) -> str:
        import obstore

        digest = hashlib.sha256()
        with source.open("rb") as handle, obstore.open_writer(self.store, key) as writer:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                writer.write(chunk)
        return digest.hexdigest()

    def put_bytes(self, key: str, data: bytes) -> None:
        import obstore

        obstore.put(self.store, key, data)

    def get_bytes(self, key: str) -> bytes:
        import obstore

        try:
            return bytes(obstore.get(self.store, key).bytes())
        except FileNotFoundError:
            raise RecoveryError(f"{self.url}/{key} does not exist") from None

    def get_file(self, key: str, dest: Path) -> str:
        import obstore

        digest = hashlib.sha256()
        try:
            result = obstore.get(self.store, key)
            with dest.open("wb") as out:
                for chunk in result:
                    digest.update(chunk)
                    out.write(chunk)
        except FileNotFoundError:
            raise RecoveryError(f"{self.url}/{key} does not exist") from None
        return digest.hexdigest()

    def list(self, prefix: str) -> list[str]:
        import obstore

        found: list[str] = []
        for batch in obstore.list(self.store, prefix.rstrip("/") + "/" if prefix else None):
            found.extend(str(entry["path"]) for entry in batch)
        return sorted(found)

    def delete(self, key: str) -> None:
        import obstore

        with contextlib.suppress(FileNotFoundError):
            obstore.delete(self.store, key)


@dataclass
class FolderLocation:
    """A folder on this machine (or a mount): plain file copies, hashed on the way, no object layer."""

    url: str
    root: Path

    @classmethod
    def create(cls, path: Path) -> FolderLocation:
        try:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as err:
            raise RecoveryError(f"cannot create backup folder {path}: {err.strerror}") from None
        return cls(str(path), path)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise RecoveryError(f"{key} is outside the backup folder {self.root}")
        return path

    def size(self, key: str) -> int | None:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            return None

    def put_file(self, key: str, source: Path) -> str:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        digest = _copy(source, partial)
        partial.replace(dest)  # a file under its final name is always whole
        return digest

    def put_bytes(self, key: str, data: bytes) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        partial.write_bytes(data)
        partial.replace(dest)

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise RecoveryError(f"{self.url}/{key} does not exist") from None

    def get_file(self, key: str, dest: Path) -> str:
        try:
            return _copy(self._path(key), dest)
        except FileNotFoundError:
            raise RecoveryError(f"{self.url}/{key} does not exist") from None

    def list(self, prefix: str) -> list[str]:
        folder = self._path(prefix) if prefix else self.root
        if not folder.is_dir():
            return []
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in folder.rglob("*")
            if p.is_file() and not p.name.endswith(".partial")
        )

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def _copy(source: Path, dest: Path) -> str:
    digest = hashlib.sha256()
    with source.open("rb") as src, dest.open("wb") as out:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


@dataclass
class VolumeLocation:
    """A folder in a Unity Catalog volume, through the Files API (`/api/2.0/fs/files`)."""

    client: WorkspaceClient
    url: str

    def _path(self, key: str) -> str:
        return f"{self.url}/{key}"

    def size(self, key: str) -> int | None:
        from databricks.sdk.errors import NotFound

        try:
            meta = self.client.files.get_metadata(self._path(key))
        except NotFound:
            return None
        return int(meta.content_length or 0)

    def put_file(self, key: str, source: Path) -> str:
        data = source.read_bytes()  # a sized, seekable body: the SDK sends it in one request when small
        self.client.files.upload(self._path(key), io.BytesIO(data), overwrite=True)
        return hashlib.sha256(data).hexdigest()

    def put_bytes(self, key: str, data: bytes) -> None:
        self.client.files.upload(self._path(key), io.BytesIO(data), overwrite=True)

    def get_bytes(self, key: str) -> bytes:
        from databricks.sdk.errors import NotFound

        try:
            contents = self.client.files.download(self._path(key)).contents
        except NotFound:
            raise RecoveryError(f"{self._path(key)} does not exist") from None
        return contents.read() if contents is not None else b""

    def get_file(self, key: str, dest: Path) -> str:
        data = self.get_bytes(key)
        dest.write_bytes(data)
        return hashlib.sha256(data).hexdigest()

    def list(self, prefix: str) -> list[str]:
        return sorted(self._walk(prefix.rstrip("/")))

    def _walk(self, prefix: str) -> Iterator[str]:
        from databricks.sdk.errors import NotFound

        try:
            entries = list(self.client.files.list_directory_contents(self._path(prefix)))
        except NotFound:
            return
        for entry in entries:
            name = str(entry.path or "").rstrip("/").rsplit("/", 1)[-1]
            key = f"{prefix}/{name}" if prefix else name
            if entry.is_directory:
                yield from self._walk(key)
            else:
                yield key

    def delete(self, key: str) -> None:
        from databricks.sdk.errors import NotFound

        with contextlib.suppress(NotFound):
            self.client.files.delete(self._path(key))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
