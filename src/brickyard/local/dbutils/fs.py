"""`dbutils.fs` over the local workspace's storage: DBFS, volumes and the worker's own disk.

`dbfs:/x` and bare `/x` are DBFS, `/Volumes/…` (also `dbfs:/Volumes/…`) are volumes, `file:/x` is
this machine; `protocol.storage_file` says where DBFS and volumes live. Listings spell paths the way
Databricks does (`dbfs:/…`, directories with a trailing slash), so code that parses them keeps
working. Errors use the Databricks messages ("File … does not exist.").
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from brickyard.local.protocol import storage_file
from brickyard.local.samples import ensure_datasets


@dataclass(frozen=True)
class FileInfo:
    path: str
    name: str
    size: int
    modificationTime: int

    def isDir(self) -> bool:
        return self.name.endswith("/")

    def isFile(self) -> bool:
        return not self.isDir()


@dataclass(frozen=True)
class _Location:
    uri: str
    """Canonical spelling, as listings show it."""
    local: Path


class FileSystem:
    def __init__(self, storage_root: Path) -> None:
        self._root = storage_root

    def ls(self, dir: str) -> list[FileInfo]:
        where = self._existing(dir)
        if where.local.is_file():
            return [self._info(where.uri, where.local)]
        base = where.uri.rstrip("/")
        return [self._info(f"{base}/{child.name}", child) for child in sorted(where.local.iterdir())]

    def mkdirs(self, dir: str) -> bool:
        self._resolve(dir).local.mkdir(parents=True, exist_ok=True)
        return True

    def put(self, file: str, contents: str, overwrite: bool = False) -> bool:
        target = self._resolve(file).local
        if target.exists() and not overwrite:
            raise FileExistsError(f"File {file} already exists.")
        target.parent.mkdir(parents=True, exist_ok=True)
        data = contents.encode("utf-8")
        target.write_bytes(data)
        print(f"Wrote {len(data)} bytes.")
        return True

    def head(self, file: str, maxBytes: int = 65536) -> str:
        where = self._existing(file)
        if where.local.is_dir():
            raise IsADirectoryError(f"{file} is a directory")
        with where.local.open("rb") as handle:
            data = handle.read(maxBytes + 1)
        if len(data) > maxBytes:
            print(f"[Truncated to first {maxBytes} bytes]")
        return data[:maxBytes].decode("utf-8", errors="replace")

    def cp(self, from_: str, to: str, recurse: bool = False) -> bool:
        source, target = self._existing(from_).local, self._resolve(to).local
        if source.is_dir():
            if not recurse:
                raise IsADirectoryError(f"{from_} is a directory; pass recurse=True to copy it")
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            target = self._into(target, to, source.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        return True

    def mv(self, from_: str, to: str, recurse: bool = False) -> bool:
        source, target = self._existing(from_).local, self._resolve(to).local
        if source.is_dir() and not recurse:
            raise IsADirectoryError(f"{from_} is a directory; pass recurse=True to move it")
        target = self._into(target, to, source.name) if source.is_file() else target
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(source), str(target))
        return True

    def rm(self, dir: str, recurse: bool = False) -> bool:
        target = self._resolve(dir).local
        if not target.exists():
            return False
        if target.is_dir():
            if any(target.iterdir()) and not recurse:
                raise OSError(f"{dir} is a non-empty directory; pass recurse=True to delete it")
            shutil.rmtree(target)
        else:
            target.unlink()
        return True

    def mounts(self) -> list[object]:
        return []

    def mount(self, *args: object, **kwargs: object) -> bool:
        raise NotImplementedError("mounts are not available on the local workspace; use volumes")

    def unmount(self, *args: object, **kwargs: object) -> bool:
        raise NotImplementedError("mounts are not available on the local workspace; use volumes")

    def help(self, method: str = "") -> None:
        print("dbutils.fs: ls, cp, mv, rm, mkdirs, put, head")

    def local_path(self, path: str) -> Path:
        """The file on this machine behind a dbutils path (also used to translate Spark paths)."""
        return self._resolve(path).local

    def _existing(self, path: str) -> _Location:
        where = self._resolve(path)
        if not where.local.exists():
            raise FileNotFoundError(f"File {path} does not exist.")
        return where

    def _resolve(self, path: str) -> _Location:
        if not isinstance(path, str) or not path:
            raise ValueError("a dbutils.fs path must be a non-empty string")
        if path.startswith("file:"):
            local = "/" + path[len("file:") :].lstrip("/")
            return _Location(f"file:{local}", Path(local))
        rest = path[len("dbfs:") :] if path.startswith("dbfs:") else path
        if not rest.startswith("/"):
            raise ValueError(f"{path} is not an absolute path; use dbfs:/…, /Volumes/… or file:/…")
        if rest.startswith("/Volumes/") or rest == "/Volumes":
            return _Location(f"dbfs:{rest}", storage_file(self._root, rest.rstrip("/") + "/"))
        if rest.rstrip("/") == "/databricks-datasets" or rest.startswith("/databricks-datasets/"):
            ensure_datasets(self._root / "dbfs")
        return _Location(f"dbfs:{rest}", storage_file(self._root, f"dbfs:{rest}"))

    @staticmethod
    def _into(target: Path, spelled: str, name: str) -> Path:
        """A file copied to an existing folder, or to a path ending in `/`, lands inside it."""
        return target / name if target.is_dir() or spelled.endswith("/") else target

    @staticmethod
    def _info(uri: str, local: Path) -> FileInfo:
        stat = local.stat()
        is_dir = local.is_dir()
        name = local.name + ("/" if is_dir else "")
        return FileInfo(
            uri + ("/" if is_dir else ""), name, 0 if is_dir else stat.st_size, int(stat.st_mtime * 1000)
        )
