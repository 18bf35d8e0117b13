"""Reading the requirement files the workflow writes: inputs (`*.in`) and locks (`requirements*.txt`).

Only the subset brickyard writes is understood: one requirement per line, `#` comments, `--hash`
continuation lines in locks, and the `# key: value` header lines brickyard puts at the top of
every file it generates. Names are compared in their normalized form (PEP 503), so `PyYAML`,
`pyyaml` and `py_yaml` are one package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from brickyard.errors import DepsError

_HEADER = re.compile(r"^#\s*(?P<key>[a-z][a-z0-9-]*):\s*(?P<value>.*)$")
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(?P<version>[^\s;\\]+)")


@dataclass(frozen=True)
class Line:
    """One requirement as written, with where it was written."""

    requirement: Requirement
    file: str
    line: int

    @property
    def name(self) -> str:
        return canonicalize_name(self.requirement.name)

    def __str__(self) -> str:
        return f"{self.requirement} ({self.file}:{self.line})"


@dataclass
class InputFile:
    lines: list[Line] = field(default_factory=list)
    header: dict[str, list[str]] = field(default_factory=dict)


def header_values(text: str) -> dict[str, list[str]]:
    """The `# key: value` lines of the leading comment block (a key may repeat)."""
    values: dict[str, list[str]] = {}
    for raw in text.splitlines():
        if raw.strip() and not raw.startswith("#"):
            break
        match = _HEADER.match(raw.strip())
        if match:
            values.setdefault(match["key"], []).append(match["value"].strip())
    return values


def parse_input(text: str, display: str) -> InputFile:
    parsed = InputFile(header=header_values(text))
    for number, raw in enumerate(text.splitlines(), start=1):
        content = raw.split(" #", 1)[0].strip()
        if not content or content.startswith("#"):
            continue
        if content.startswith("-"):
            raise DepsError(
                f"{display}:{number}: options such as {content.split()[0]} do not belong in a requirement "
                "input; set index options in brickyard.yml (deps.index) or on the command line"
            )
        try:
            requirement = Requirement(content)
        except InvalidRequirement as err:
            raise DepsError(f"{display}:{number}: not a valid requirement: {content!r} ({err})") from None
        parsed.lines.append(Line(requirement, display, number))
    return parsed


def read_input(path: Path, display: str) -> InputFile:
    try:
        return parse_input(path.read_text(encoding="utf-8"), display)
    except FileNotFoundError:
        raise DepsError(f"{display} not found") from None


@dataclass
class Lock:
    pins: dict[str, str]
    """Normalized name → pinned version."""
    hashes: dict[str, list[str]]
    header: dict[str, list[str]]
    names: dict[str, str]
    """Normalized name → the name as written."""

    def first(self, key: str) -> str | None:
        values = self.header.get(key)
        return values[0] if values else None


def parse_lock(text: str) -> Lock:
    pins: dict[str, str] = {}
    hashes: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("--hash="):
            if current is not None:
                hashes.setdefault(current, []).append(line.removeprefix("--hash=").rstrip(" \\"))
            continue
        match = _PIN.match(line)
        if match is None:
            current = None
            continue
        current = canonicalize_name(match["name"])
        pins[current] = match["version"]
        names[current] = match["name"]
        for part in line.split()[1:]:
            if part.startswith("--hash="):
                hashes.setdefault(current, []).append(part.removeprefix("--hash="))
    return Lock(pins=pins, hashes=hashes, header=header_values(text), names=names)


def read_lock(path: Path, display: str) -> Lock:
    try:
        return parse_lock(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DepsError(f"{display} not found; run `brickyard deps lock`") from None
