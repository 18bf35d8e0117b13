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
    # The three questions are independent, so they are asked at once: every validate, plan and
    # deploy reads these, and three git processes one after the other cost their sum.
    # Flags apply to the revisions after them: the full commit first, then the branch name.
    head = _start(directory, "rev-parse", "--show-toplevel", "HEAD", "--abbrev-ref", "HEAD")
    origin = _start(directory, "config", "--get", "remote.origin.url")
    tags = _start(directory, "tag", "--points-at", "HEAD")
    out, origin_out, tags_out = _finish(head), _finish(origin), _finish(tags)
    if out is None:
        return _unborn(directory, (origin_out or "").strip())
    lines = out.splitlines()
    if len(lines) < 3:
        return GitInfo(root=Path(lines[0]))
    root = Path(lines[0])
    commit = lines[1]
    branch = lines[2] if lines[2] != "HEAD" else ""  # detached HEAD has no branch
    tag_names = (tags_out or "").split() if commit else []
    return GitInfo(branch, commit, (origin_out or "").strip(), root, tuple(tag_names))


def _unborn(directory: Path, origin: str) -> GitInfo:
    """A repository without a commit yet (`git init`, nothing committed): HEAD names its branch
    all the same, as the CLI reads it; outside a repository, an empty GitInfo."""
    top = git_output(directory, "rev-parse", "--show-toplevel")
    if top is None:
        return GitInfo()
    branch = git_output(directory, "symbolic-ref", "--short", "HEAD") or ""
    return GitInfo(branch.strip(), "", origin, Path(top.strip()))


def git_output(directory: Path, *args: str, timeout: float = 10) -> str | None:
    """What `git args...` prints in `directory`; None outside a checkout or without git."""
    return _finish(_start(directory, *args), timeout)


def _start(directory: Path, *args: str) -> subprocess.Popen[str] | None:
    try:
        return subprocess.Popen(
            ["git", *args],
            cwd=directory,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            errors="surrogateescape",
        )
    except OSError:
        return None


def _finish(process: subprocess.Popen[str] | None, timeout: float = 10) -> str | None:
    if process is None:
        return None
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None
    return out if process.returncode == 0 else None
