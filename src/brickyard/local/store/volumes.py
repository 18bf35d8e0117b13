"""Files in volumes (the Files API): `/Volumes/c/s/v/x` is `<storage_root>/volumes/c/s/v/x`, the
file tasks read and write (see `protocol`)."""

from __future__ import annotations

import shutil
import threading
from email.utils import formatdate
from pathlib import Path
from typing import Any, BinaryIO

from brickyard.local.apierror import ApiError
from brickyard.local.store.fsutil import atomic_write, is_internal
from brickyard.local.store.safepath import Confined, parts_of


class Volumes:
    def __init__(self, storage_root: Path) -> None:
        self.storage_root = storage_root
        self._lock = threading.Lock()
        self._confined = Confined(storage_root / "volumes")

    def file_of(self, path: str, follow_final: bool = True) -> Path:
        """The file of a `/Volumes/c/s/v/...` path, inside the volumes folder."""
        parts = parts_of(path)
        if not path.startswith("/Volumes/") or len(parts) < 4:
            raise ApiError.invalid(
                f"{path} is not in a volume; paths look like /Volumes/<catalog>/<schema>/<volume>/..."
            )
        # An external volume is a link to its storage location, so the volume folder itself may be
        # a link; below it, nothing may lead out of the volume.
        volume = self._confined.file(parts[1:4], path, follow_final=False)
        return Confined(volume).file(parts[4:], path, follow_final)

    def existing_file(self, path: str) -> Path:
        file = self.file_of(path)
        if not file.is_file():
            raise ApiError(404, "NOT_FOUND", f"The file {path} does not exist.")
        return file

    def put(self, path: str, data: bytes | BinaryIO, overwrite: bool) -> None:
        file = self.file_of(path)
        with self._lock:
            if file.is_dir():
                raise ApiError(409, "ALREADY_EXISTS", f"{path} is a directory.")
            if file.exists() and not overwrite:
                raise ApiError(409, "ALREADY_EXISTS", f"The file {path} already exists.")
            file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(file, data)

    def delete_file(self, path: str) -> None:
        link = self.file_of(path, follow_final=False)
        if link.is_symlink():
            link.unlink()  # the link goes, never what it points at
            return
        self.existing_file(path).unlink()

    def mkdirs(self, path: str) -> None:
        file = self.file_of(path)
        with self._lock:
            if file.exists() and not file.is_dir():
                raise ApiError(409, "ALREADY_EXISTS", f"{path} is a file.")
            file.mkdir(parents=True, exist_ok=True)

    def existing_dir(self, path: str) -> Path:
        directory = self.file_of(path)
        if not directory.is_dir():
            raise ApiError(404, "NOT_FOUND", f"The directory {path} does not exist.")
        return directory

    def list_dir(self, path: str) -> list[dict[str, Any]]:
        directory = self.existing_dir(path)
        volume = Confined(self.storage_root.joinpath("volumes", *parts_of(path)[1:4]))
        base = path.rstrip("/")
        entries = []
        for child in sorted(directory.iterdir(), key=lambda p: p.name):
            if is_internal(child.name) or not volume.inside(child):
                continue
            stat = child.stat()
            entry: dict[str, Any] = {
                "path": f"{base}/{child.name}" + ("/" if child.is_dir() else ""),
                "name": child.name,
                "is_directory": child.is_dir(),
                "last_modified": int(stat.st_mtime * 1000),
            }
            if not child.is_dir():
                entry["file_size"] = stat.st_size
            entries.append(entry)
        return entries

    def delete_dir(self, path: str) -> None:
        directory = self.existing_dir(path)
        with self._lock:
            if any(directory.iterdir()):
                raise ApiError(409, "DIRECTORY_NOT_EMPTY", f"The directory {path} is not empty.")
            shutil.rmtree(directory)


def http_date(file: Path) -> str:
    return formatdate(file.stat().st_mtime, usegmt=True)
