"""File writes that readers never see half done: write a hidden temp file, then rename over."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import BinaryIO

TMP_PREFIX = ".brickyard-tmp-"


def atomic_write(path: Path, data: bytes | BinaryIO) -> None:
    """`data` as bytes, or a file read to its end in chunks (an upload never held in memory)."""
    tmp = path.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex}")
    try:
        with open(tmp, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                shutil.copyfileobj(data, handle, 1024 * 1024)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def is_internal(name: str) -> bool:
    """Temp files of writes in flight: never listed."""
    return name.startswith(TMP_PREFIX)


def make_private(root: Path) -> None:
    """Files 0600 (0700 if executable) and folders 0700 under `root`: tools such as uv create some
    files (their `.lock` files) with modes of their own, whatever the process's umask says."""
    import os
    import stat

    for folder, dirs, files in os.walk(root):
        for name in dirs:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, 0o700)
        for name in files:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                continue
            mode = stat.S_IMODE(os.lstat(path).st_mode)
            if mode & 0o077:
                os.chmod(path, 0o700 if mode & 0o100 else 0o600)
