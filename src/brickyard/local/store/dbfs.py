"""DBFS: `dbfs:/x/y` is the file `<storage_root>/dbfs/x/y` (see `protocol`), so tasks see uploads.

Streaming uploads (`create` → `add-block` → `close`) write to a hidden temp file that becomes the
target only on `close`, so a reader never sees a partial upload. Handles live in memory: like a
workspace's, they do not outlive the server.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from brickyard.local.apierror import ApiError
from brickyard.local.store.fsutil import TMP_PREFIX, atomic_write, is_internal
from brickyard.local.store.safepath import Confined, parts_of

MAX_PUT_BYTES = 1024 * 1024
MAX_BLOCK_BYTES = 1024 * 1024
MAX_READ_BYTES = 1024 * 1024


@dataclass
class _Upload:
    path: str
    target: Path
    temp: Path
    overwrite: bool


class Dbfs:
    def __init__(self, storage_root: Path) -> None:
        self.storage_root = storage_root
        (storage_root / "dbfs").mkdir(parents=True, exist_ok=True)
        self._confined = Confined(storage_root / "dbfs")
        self._lock = threading.RLock()
        self._uploads: dict[int, _Upload] = {}
        self._handles = itertools.count(int.from_bytes(os.urandom(3), "big") + 1)

    def file_of(self, path: str, follow_final: bool = True) -> tuple[str, Path]:
        """The canonical `/x/y` form of a DBFS path and its local file, inside the DBFS folder."""
        if not isinstance(path, str) or not path:
            raise ApiError.invalid("path is required")
        raw = path[len("dbfs:") :] if path.startswith("dbfs:") else path
        parts = parts_of(raw, path)
        if not raw.startswith("/"):
            raise ApiError.invalid(f"Path must be absolute: {path}")
        canonical = "/" + "/".join(parts)
        return canonical, self._confined.file(parts, canonical, follow_final)

    def status(self, path: str) -> dict[str, Any]:
        canonical, file = self.file_of(path)
        if not file.exists():
            raise ApiError.not_found(f"No file or directory exists on path {canonical}.")
        return _info(canonical, file)

    def list(self, path: str) -> list[dict[str, Any]]:
        canonical, file = self.file_of(path)
        if not file.exists():
            raise ApiError.not_found(f"No file or directory exists on path {canonical}.")
        if file.is_file():
            return [_info(canonical, file)]
        base = canonical.rstrip("/")
        return [
            _info(f"{base}/{child.name}", child)
            for child in sorted(file.iterdir(), key=lambda p: p.name)
            if not is_internal(child.name) and self._confined.inside(child)
        ]

    def mkdirs(self, path: str) -> None:
        _, file = self.file_of(path)
        with self._lock:
            self._require_dir_chain(file)
            file.mkdir(parents=True, exist_ok=True)

    def put(self, path: str, data: bytes | BinaryIO, overwrite: bool) -> None:
        canonical, file = self.file_of(path)
        with self._lock:
            self._check_target(canonical, file, overwrite)
            file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(file, data)

    def read(self, path: str, offset: int, length: int) -> dict[str, Any]:
        canonical, file = self.file_of(path)
        if not file.exists():
            raise ApiError.not_found(f"No file or directory exists on path {canonical}.")
        if file.is_dir():
            raise ApiError.invalid(f"cannot read directory {canonical}")
        if offset < 0 or length < 0:
            raise ApiError.invalid("offset and length must not be negative")
        length = min(length or 512 * 1024, MAX_READ_BYTES)
        with open(file, "rb") as handle:
            handle.seek(offset)
            data = handle.read(length)
        return {"bytes_read": len(data), "data": base64.b64encode(data).decode("ascii")}

    def delete(self, path: str, recursive: bool) -> None:
        canonical, file = self.file_of(path, follow_final=False)
        if canonical == "/":
            raise ApiError.invalid("the DBFS root cannot be deleted")
        with self._lock:
            if file.is_symlink():
                file.unlink()  # the link goes, never what it points at
                return
            if not file.exists():
                return
            if file.is_dir():
                if any(file.iterdir()) and not recursive:
                    raise ApiError(
                        400, "IO_ERROR", f"Directory {canonical} is not empty; delete it with recursive=true."
                    )
                shutil.rmtree(file)
            else:
                file.unlink()

    def move(self, source: str, destination: str) -> None:
        src_path, src = self.file_of(source, follow_final=False)
        dst_path, dst = self.file_of(destination)
        with self._lock:
            if not src.exists():
                raise ApiError.not_found(f"No file or directory exists on path {src_path}.")
            if dst.exists():
                raise ApiError.already_exists(f"A file or directory already exists at {dst_path}.")
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)

    # ---- streaming uploads -----------------------------------------------------------------------

    def create(self, path: str, overwrite: bool) -> int:
        canonical, file = self.file_of(path)
        with self._lock:
            self._check_target(canonical, file, overwrite)
            file.parent.mkdir(parents=True, exist_ok=True)
            handle = next(self._handles)
            temp = file.with_name(f"{TMP_PREFIX}{handle}")
            temp.write_bytes(b"")
            self._uploads[handle] = _Upload(canonical, file, temp, overwrite)
        return handle

    def add_block(self, handle: int, data_b64: str) -> None:
        data = decode_b64(data_b64, "data")
        if len(data) > MAX_BLOCK_BYTES:
            raise ApiError(400, "MAX_BLOCK_SIZE_EXCEEDED", "A block is limited to 1 MB.")
        upload = self._upload(handle)
        with open(upload.temp, "ab") as out:
            out.write(data)

    def close(self, handle: int) -> None:
        with self._lock:
            upload = self._upload(handle)
            del self._uploads[handle]
            if upload.target.exists() and not upload.overwrite:
                upload.temp.unlink(missing_ok=True)
                raise ApiError.already_exists(f"A file or directory already exists at {upload.path}.")
            os.replace(upload.temp, upload.target)

    def _upload(self, handle: int) -> _Upload:
        upload = self._uploads.get(handle)
        if upload is None:
            raise ApiError.not_found(f"The handle {handle} does not exist or has been closed.")
        return upload

    def _check_target(self, canonical: str, file: Path, overwrite: bool) -> None:
        if file.is_dir():
            raise ApiError.already_exists(f"A directory already exists at {canonical}.")
        if file.exists() and not overwrite:
            raise ApiError.already_exists(f"A file or directory already exists at {canonical}.")
        self._require_dir_chain(file.parent)

    def _require_dir_chain(self, directory: Path) -> None:
        base = self.storage_root / "dbfs"
        current = directory
        while current != base and base in current.parents:
            if current.exists() and not current.is_dir():
                shown = "/" + current.relative_to(base).as_posix()
                raise ApiError.already_exists(f"A file exists at {shown}, where a directory is needed.")
            current = current.parent


def decode_b64(value: str | None, field: str) -> bytes:
    try:
        return base64.b64decode(value or "", validate=True)
    except (binascii.Error, ValueError):
        raise ApiError.invalid(f"{field} must be base64") from None


def _info(path: str, file: Path) -> dict[str, Any]:
    stat = file.stat()
    is_dir = file.is_dir()
    return {
        "path": path,
        "is_dir": is_dir,
        "file_size": 0 if is_dir else stat.st_size,
        "modification_time": int(stat.st_mtime * 1000),
    }
