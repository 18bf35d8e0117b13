"""File writes that readers never see half done: write a hidden temp file, then rename over."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

TMP_PREFIX = ".brickyard-tmp-"


def atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def is_internal(name: str) -> bool:
    """Temp files of writes in flight: never listed."""
    return name.startswith(TMP_PREFIX)
