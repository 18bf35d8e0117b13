"""Git folders (the Repos API), backed by a real `git clone` into the workspace tree.

Only repositories this machine can reach without credentials are accepted: a local path or a
`file://` URL. That is what tests and offline CI have, and it keeps tokens out of the local
workspace. Branch and head commit are read from git on every `get`, so they never go stale.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from brickyard.local.apierror import ApiError
from brickyard.local.store.db import Database, dumps, loads
from brickyard.local.store.workspace import WorkspaceTree, canonical, parent_of

GIT_TIMEOUT = 120.0


def missing_repo(repo_id: Any) -> ApiError:
    return ApiError.not_found(f"Repo {repo_id} does not exist.")


class RepoStore:
    def __init__(self, db: Database, tree: WorkspaceTree, user: str) -> None:
        self.db = db
        self.tree = tree
        self.user = user
        self._lock = threading.Lock()

    def create(self, url: str, provider: str | None, path: str | None, sparse: Any = None) -> dict[str, Any]:
        source = _local_source(url)
        name = source.name[:-4] if source.name.endswith(".git") else source.name
        path = canonical(path or f"/Repos/{self.user}/{name}")
        parent = parent_of(path)
        with self._lock:
            if path.startswith("/Repos/") and path.count("/") == 3:
                self.tree.mkdirs(parent)
            if not self.tree.file_of(parent).is_dir():
                raise ApiError.not_found(f"The parent folder ({parent}) does not exist.")
            target = self.tree.file_of(path)
            if target.exists():
                raise ApiError.already_exists(f"Path ({path}) already exists.")
            _git(["clone", "--quiet", str(source), str(target)], cwd=target.parent)
            if patterns := _patterns(sparse):
                _git(["sparse-checkout", "set", *patterns], cwd=target)
            repo_id = self.db.next_id("workspace_object", 1000)
            doc = {"id": repo_id, "path": path, "url": url, "provider": provider or "git"}
            if sparse:
                doc["sparse_checkout"] = sparse
            self.db.execute(
                "INSERT INTO repos(repo_id, path, doc) VALUES (?, ?, ?)", (repo_id, path, dumps(doc))
            )
            self.tree.mark_repo(path, repo_id)
        return self.get(repo_id)

    def get(self, repo_id: Any) -> dict[str, Any]:
        doc = self._doc(repo_id)
        directory = self.tree.file_of(doc["path"])
        head = _git(["rev-parse", "HEAD"], cwd=directory).strip()
        branch = _git(["rev-parse", "--abbrev-ref", "HEAD"], cwd=directory).strip()
        doc["head_commit_id"] = head
        if branch and branch != "HEAD":
            doc["branch"] = branch
        return doc

    def list(self, path_prefix: str | None, offset: int, limit: int) -> tuple[list[dict[str, Any]], bool]:
        rows = self.db.query("SELECT repo_id, path FROM repos ORDER BY path")
        prefix = canonical(path_prefix) if path_prefix else None
        ids = [r["repo_id"] for r in rows if prefix is None or r["path"].startswith(prefix)]
        page = ids[offset : offset + limit]
        return [self.get(i) for i in page], offset + limit < len(ids)

    def update(self, repo_id: Any, branch: str | None, tag: str | None, sparse: Any = None) -> None:
        if branch and tag:
            raise ApiError.invalid("give either branch or tag, not both")
        for name, value in (("branch", branch), ("tag", tag)):
            _check_ref(name, value)
        doc = self._doc(repo_id)
        directory = self.tree.file_of(doc["path"])
        with self._lock:
            if sparse is not None:
                _git(["sparse-checkout", "set", *_patterns(sparse)], cwd=directory)
                doc["sparse_checkout"] = sparse
                self.db.execute("UPDATE repos SET doc = ? WHERE repo_id = ?", (dumps(doc), doc["id"]))
            if not branch and not tag:
                return
            _git(["fetch", "--quiet", "--tags", "origin"], cwd=directory)
            if tag:
                _git(["checkout", "--quiet", "--detach", f"refs/tags/{tag}"], cwd=directory)
                return
            remote = _git(["branch", "--remotes", "--list", f"origin/{branch}"], cwd=directory).strip()
            if remote:
                _git(["checkout", "--quiet", "-B", str(branch), f"origin/{branch}"], cwd=directory)
            else:
                _git(["checkout", "--quiet", str(branch)], cwd=directory)

    def delete(self, repo_id: Any) -> None:
        doc = self._doc(repo_id)
        with self._lock:
            shutil.rmtree(self.tree.file_of(doc["path"]), ignore_errors=True)
            self.tree.forget(doc["path"])

    def _doc(self, repo_id: Any) -> dict[str, Any]:
        try:
            number = int(repo_id)
        except (TypeError, ValueError):
            raise ApiError.invalid(f"repo id must be an integer; got {repo_id!r}") from None
        row = self.db.one("SELECT doc FROM repos WHERE repo_id = ?", (number,))
        if row is None:
            raise missing_repo(repo_id)
        doc: dict[str, Any] = loads(row["doc"])
        return doc


def _patterns(sparse: Any) -> list[str]:
    """Sparse checkout patterns, checked so that none reaches git as an option."""
    if sparse is None:
        return []
    if not isinstance(sparse, dict):
        raise ApiError.invalid("sparse_checkout must be an object")
    patterns = sparse.get("patterns") or []
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ApiError.invalid("sparse_checkout.patterns must be a list of strings")
    for pattern in patterns:
        if pattern.startswith("-") or "\x00" in pattern:
            raise ApiError.invalid(f"invalid sparse checkout pattern {pattern!r}")
    return list(patterns)


def _check_ref(name: str, value: Any) -> None:
    """A branch or tag name as git allows it; never one that git would read as an option."""
    if value is None:
        return
    if not isinstance(value, str) or not value or value.startswith("-") or "\x00" in value or ".." in value:
        raise ApiError.invalid(f"invalid {name} name {value!r}")


def _local_source(url: str) -> Path:
    if not isinstance(url, str) or not url:
        raise ApiError.invalid("url is required")
    parsed = urlparse(url)
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path))
    elif parsed.scheme == "" and url.startswith("/"):
        path = Path(url)
    else:
        raise ApiError.invalid(
            f"the local workspace clones only local repositories (a path or a file:// URL), not {url}"
        )
    if "\x00" in str(path) or not path.exists():
        raise ApiError.invalid(f"no git repository at {url}")
    return path


def _git(args: list[str], cwd: Path) -> str:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise ApiError.not_implemented("git is not installed on this machine") from None
    except subprocess.TimeoutExpired:
        raise ApiError(
            504, "DEADLINE_EXCEEDED", f"git {args[0]} took longer than {GIT_TIMEOUT:.0f}s"
        ) from None
    if done.returncode != 0:
        message = (done.stderr.strip().splitlines() or [f"git {args[0]} failed"])[-1]
        raise ApiError.invalid(f"git {args[0]} failed: {message}")
    return done.stdout
