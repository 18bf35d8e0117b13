"""The `brickyard-local` profile in `~/.databrickscfg`, edited without touching any other profile.

`configparser` would rewrite the whole file (dropping comments, reordering keys), and the file holds
other people's tokens, so the profile's section is replaced line by line and everything else is
kept byte for byte. The file stays mode 0600 because it contains tokens.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

PROFILE = "brickyard-local"
_SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*$")


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the SDK reads profiles: `DATABRICKS_CONFIG_FILE`, else `~/.databrickscfg`."""
    env = os.environ if environ is None else environ
    configured = env.get("DATABRICKS_CONFIG_FILE")
    return Path(configured).expanduser() if configured else Path.home() / ".databrickscfg"


def write_profile(values: Mapping[str, str], path: Path | None = None, profile: str = PROFILE) -> Path:
    path = path or config_path()
    lines = _read_lines(path)
    block = [f"[{profile}]\n", *(f"{key} = {value}\n" for key, value in values.items())]
    start, end = _find(lines, profile)
    if start is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        if lines and lines[-1].strip():
            lines.append("\n")
        lines.extend(block)
    else:
        if lines[start:end] == block or lines[start:end] == [*block, "\n"]:
            return path  # already says this: leave the user's file alone
        lines[start:end] = block
    _write(path, lines)
    return path


def remove_profile(path: Path | None = None, profile: str = PROFILE) -> bool:
    path = path or config_path()
    lines = _read_lines(path)
    start, end = _find(lines, profile)
    if start is None:
        return False
    del lines[start:end]
    _write(path, lines)
    return True


def read_profile(path: Path | None = None, profile: str = PROFILE) -> dict[str, str]:
    lines = _read_lines(path or config_path())
    start, end = _find(lines, profile)
    if start is None:
        return {}
    values = {}
    for line in lines[start + 1 : end]:
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith(("#", ";")):
            values[key.strip()] = value.strip()
    return values


def _find(lines: list[str], profile: str) -> tuple[int | None, int]:
    """The profile's section as [start, end): its header up to the next section header."""
    start = None
    for index, line in enumerate(lines):
        match = _SECTION.match(line)
        if match is None:
            continue
        if start is not None:
            return start, _trim_blank(lines, start, index)
        if match.group("name").strip() == profile:
            start = index
    return start, len(lines)


def _trim_blank(lines: list[str], start: int, end: int) -> int:
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        return []


def _write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".brickyard.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("".join(lines))
    os.chmod(tmp, 0o600)
    tmp.replace(path)
