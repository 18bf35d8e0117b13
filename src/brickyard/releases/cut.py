"""`brickyard release cut x.y`: a release branch and its first tag, from the current commit.

A release line starts as branch `release/x.y` and tag `vx.y.0` on the same commit, so that a target
restricted to `release/*` (see `branches`) can take it and every later fix is `vx.y.N` on that
branch. A release candidate is cut the same way with a suffix: `1.4-RC` makes `release/1.4-RC` and
`v1.4.0-RC`, which a staging target restricted to `release/*-RC` takes. Nothing is cut from a tree with uncommitted or untracked files (a deploy would sync them,
though the release commit does not hold them) unless asked, and nothing that exists is moved. The
branch is created but not checked out, and nothing is pushed: the user's checkout stays as it was.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickyard.context import AppContext
from brickyard.errors import ReleaseError, UsageError

_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[A-Za-z][A-Za-z0-9.]*)?$")


@dataclass(frozen=True)
class Cut:
    version: str
    branch: str
    tag: str
    commit: str

    def as_json(self) -> dict[str, Any]:
        return {"version": self.version, "branch": self.branch, "tag": self.tag, "commit": self.commit}


def cut_release(ctx: AppContext, version: str, allow_dirty: bool = False) -> Cut:
    match = _VERSION.match(version)
    if not match:
        raise UsageError(
            f"release version {version!r} must be major.minor (for example 1.4), "
            "optionally with a pre-release suffix (1.4-RC)"
        )
    git = _Git(ctx.cwd, dict(ctx.environ))
    commit = git.commit()
    major, minor, suffix = match.group(1), match.group(2), match.group(3) or ""
    branch, tag = f"release/{version}", f"v{major}.{minor}.0{suffix}"
    if not allow_dirty:
        dirty = git.run("status", "--porcelain", "--untracked-files=normal").splitlines()
        if dirty:
            raise ReleaseError(
                f"the working tree has {len(dirty)} uncommitted change(s) (e.g. {dirty[0].strip()}); "
                "commit or stash them, or pass --allow-dirty to cut from the last commit anyway"
            )
    existing = git.run(
        "for-each-ref", "--format=%(refname:short)", f"refs/heads/{branch}", f"refs/remotes/*/{branch}"
    )
    if existing.strip():
        raise ReleaseError(f"branch {existing.split()[0]} already exists: release {version} was cut before")
    if git.run("tag", "--list", tag).strip():
        raise ReleaseError(f"tag {tag} already exists: release {version} was cut before")
    git.run("branch", branch, commit)
    try:
        git.run("tag", "-a", tag, "-m", f"Release {tag[1:]}", commit)
    except ReleaseError:
        git.run("branch", "-D", branch)  # leave nothing half made
        raise
    cut = Cut(version, branch, tag, commit)
    ctx.output.result(
        cut.as_json(),
        f"Cut release {version}: branch {branch} and tag {tag} at {commit[:10]}\n"
        f"Publish them with: git push origin {branch} {tag}",
    )
    return cut


@dataclass(frozen=True)
class _Git:
    cwd: Path
    environ: dict[str, str]

    def commit(self) -> str:
        try:
            self.run("rev-parse", "--show-toplevel")
        except ReleaseError:
            raise ReleaseError(
                f"{self.cwd} is not inside a git repository: a release is cut from a commit"
            ) from None
        try:
            return self.run("rev-parse", "--verify", "HEAD^{commit}").strip()
        except ReleaseError:
            raise ReleaseError("the repository has no commit yet: commit first, then cut a release") from None

    def run(self, *args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=self.cwd,
                env=self.environ,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise ReleaseError(f"git {args[0]} failed: {err}") from None
        if done.returncode != 0:
            raise ReleaseError(
                f"git {' '.join(args[:2])} failed: {done.stderr.strip() or done.stdout.strip()}"
            )
        return done.stdout
