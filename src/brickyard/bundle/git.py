"""The git facts a bundle records: branch, commit and origin of the checkout it was loaded from."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GitInfo:
    branch: str = ""
    commit: str = ""
    origin_url: str = ""
    root: Path | None = None
    tags: tuple[str, ...] = ()

    @property
    def is_repo(self) -> bool:
        return self.root is not None


def read_git_info(directory: Path) -> GitInfo:
    """Best effort: a directory outside git, or no git binary, gives an empty GitInfo."""
    # Flags apply to the revisions after them: the full commit first, then the branch name.
    out = git_output(directory, "rev-parse", "--show-toplevel", "HEAD", "--abbrev-ref", "HEAD")
    if out is None:
        return GitInfo()
    lines = out.splitlines()
    if len(lines) < 3:
        return GitInfo(root=Path(lines[0]))
    root = Path(lines[0])
    commit = lines[1]
    branch = lines[2] if lines[2] != "HEAD" else ""  # detached HEAD has no branch
    origin = git_output(directory, "config", "--get", "remote.origin.url") or ""
    tags = git_output(directory, "tag", "--points-at", "HEAD") if commit else ""
    return GitInfo(branch, commit, origin.strip(), root, tuple((tags or "").split()))


def git_output(directory: Path, *args: str, timeout: float = 10) -> str | None:
    """What `git args...` prints in `directory`; None outside a checkout or without git."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=directory,
            capture_output=True,
            encoding="utf-8",
            errors="surrogateescape",
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None
