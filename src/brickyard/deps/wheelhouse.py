"""A wheelhouse for offline cluster environments on the local workspace.

The local workspace builds a cluster's environment from the project's part of its lock (see
`clusterlock`) without touching the network, so those wheels must be on the machine first. This
downloads exactly them, at their locked versions and hashes, while the network is there (when the
project is set up, in CI's install step); `BRICKYARD_FIND_LINKS=<dir>` then points the local
workspace at them.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

from brickyard.deps.clusterlock import project_part
from brickyard.errors import DepsError


def fill_wheelhouse(root: Path, directory: Path) -> list[str]:
    """Download the project pins of every lock under `root/requirements`; returns what was pinned."""
    pinned: list[str] = []
    directory.mkdir(parents=True, exist_ok=True)
    for lock in sorted((root / "requirements").glob("requirements*.txt")):
        part = project_part(lock.read_text(encoding="utf-8"))
        if not part.requirements:
            continue
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
            handle.write(part.requirements)
        command = [
            *_pip(),
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--require-hashes",
            "--quiet",
            "--dest",
            str(directory),
            "--requirement",
            handle.name,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        Path(handle.name).unlink(missing_ok=True)
        if done.returncode != 0:
            raise DepsError(f"downloading the pins of {lock.name} failed:\n{done.stderr.strip()[-2000:]}")
        pinned.extend(part.installed)
    return pinned


def _pip() -> list[str]:
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    from uv import find_uv_bin

    return [find_uv_bin(), "tool", "run", "--from", "pip", "pip"]
