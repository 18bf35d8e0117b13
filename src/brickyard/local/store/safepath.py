"""Paths from requests, mapped to files that are guaranteed to lie inside the local workspace home.

Every API path (workspace, DBFS, volume, repo) becomes a file under one base folder. A name the
file system cannot hold (NUL, a lone surrogate, more than 255 bytes) or that climbs out (`..`) is a
400 INVALID_PARAMETER_VALUE, never an OSError turned 500. Symbolic links are where a base folder
can leak: a git folder cloned from someone else's repository, or a task, can leave a link to `/etc`
or `~/.ssh` in the tree. So the final check is on the real path, with every link resolved: a file
whose real path is outside its base is refused, whatever the link looks like.
"""

from __future__ import annotations

import os
from pathlib import Path

from brickyard.local.apierror import ApiError

MAX_NAME_BYTES = 255
"""Longest file name Linux and macOS file systems hold."""
MAX_PATH_BYTES = 4096


def parts_of(path: str, shown: str | None = None) -> list[str]:
    """The names of `path` (`/a/./b/` → `["a", "b"]`), each one a valid file name."""
    shown = path if shown is None else shown
    if not isinstance(path, str):
        raise ApiError.invalid(f"Path must be a string; got {type(path).__name__}")
    if "\x00" in path:
        raise ApiError.invalid(f"Path ({_printable(shown)}) contains a NUL character")
    try:
        encoded = path.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError.invalid(f"Path ({_printable(shown)}) is not valid Unicode text") from None
    if len(encoded) > MAX_PATH_BYTES:
        raise ApiError.invalid(f"Path is longer than {MAX_PATH_BYTES} bytes")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    for part in parts:
        if part == "..":
            raise ApiError.invalid(f"Path ({_printable(shown)}) must not contain '..'")
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            raise ApiError.invalid(
                f"Path ({_printable(shown)}) has a name longer than {MAX_NAME_BYTES} bytes"
            )
    return parts


class Confined:
    """One base folder; `file()` maps names below it and refuses anything that resolves outside."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._real = os.path.realpath(base)

    def file(self, parts: list[str], shown: str, follow_final: bool = True) -> Path:
        """The file for `parts`; with `follow_final=False` a final symbolic link is the object
        itself (deleting it removes the link, not what it points at), so only its folder is checked."""
        file = self.base.joinpath(*parts)
        checked = file if follow_final or not parts else file.parent
        if not self.inside(checked):
            raise ApiError.invalid(f"Path ({_printable(shown)}) leads outside the local workspace")
        return file

    def inside(self, file: Path) -> bool:
        try:
            real = os.path.realpath(file)
        except (OSError, ValueError):
            return False
        return real == self._real or real.startswith(self._real + os.sep)


def _printable(path: str) -> str:
    """A path as it can be quoted in a message: no control characters, no lone surrogates, short."""
    cleaned = "".join(c if c.isprintable() else "?" for c in path)
    cleaned = cleaned.encode("utf-8", "replace").decode("utf-8")
    return cleaned if len(cleaned) <= 200 else cleaned[:200] + "…"
