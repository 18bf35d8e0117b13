"""The bundle's files as they will be synced: what git would commit, shaped by `sync:`.

Inside a git checkout the candidates are exactly what git tracks or would track (so every
`.gitignore` applies, nested ones too); elsewhere the root `.gitignore` is read with pathspec.
`sync.exclude` removes files, `sync.include` brings back ignored ones (build outputs, for example).
Each file is identified by its content hash: an unchanged file is never uploaded again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pathspec

from brickyard.bundle.git import git_output
from brickyard.notebooks import notebook_language, strip_notebook_extension

ALWAYS_EXCLUDED = (".git/", ".brickyard/", ".databricks/", "__pycache__/", "*.pyc", ".DS_Store")


@dataclass(frozen=True)
class LocalFile:
    relative: str
    path: Path
    hash: str
    language: str | None

    def remote(self, file_path: str) -> str:
        name = strip_notebook_extension(self.relative) if self.language else self.relative
        return f"{file_path}/{name}"


def inventory(root: Path, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[LocalFile]:
    root = root.resolve()
    candidates = _git_files(root)
    if candidates is None:
        candidates = _walk(root, _gitignore(root))
    always = pathspec.PathSpec.from_lines("gitwildmatch", ALWAYS_EXCLUDED)
    excluded = pathspec.PathSpec.from_lines("gitwildmatch", list(exclude))
    included = pathspec.PathSpec.from_lines("gitwildmatch", list(include))
    chosen = {rel for rel in candidates if not always.match_file(rel) and not excluded.match_file(rel)}
    for prefix in _static_prefixes(include):
        # Only where an include pattern can match: `dist/*.whl` walks dist/, not the whole tree.
        start = root / prefix
        if start.is_dir():
            for rel in _walk(start, always):
                full = f"{prefix}/{rel}" if prefix else rel
                if included.match_file(full):
                    chosen.add(full)
    return [_describe(root, rel) for rel in sorted(chosen) if (root / rel).is_file()]


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _describe(root: Path, relative: str) -> LocalFile:
    path = root / relative
    return LocalFile(relative, path, file_hash(path), notebook_language(path))


def _git_files(root: Path) -> set[str] | None:
    listed = git_output(
        root, "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", ".", timeout=60
    )
    return None if listed is None else {name for name in listed.split("\0") if name}


def _static_prefixes(patterns: Iterable[str]) -> list[str]:
    """The directories below which each pattern can match, without overlaps."""
    prefixes = set()
    for pattern in patterns:
        parts = pattern.strip("/").split("/")
        fixed = []
        for part in parts[:-1]:
            if any(c in part for c in "*?[") or part == "..":
                break
            fixed.append(part)
        prefixes.add("/".join(p for p in fixed if p not in ("", ".")))
    ordered = sorted(prefixes, key=len)
    return [
        p
        for i, p in enumerate(ordered)
        if not any(p == q or p.startswith(q + "/") or q == "" for q in ordered[:i])
    ]


def _gitignore(root: Path) -> pathspec.PathSpec:
    ignore = root / ".gitignore"
    lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
    return pathspec.PathSpec.from_lines("gitwildmatch", lines)


def _walk(root: Path, ignored: pathspec.PathSpec) -> set[str]:
    out: set[str] = set()
    for directory, dirs, files in os.walk(root):
        rel_dir = Path(directory).relative_to(root).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        dirs[:] = [d for d in dirs if d != ".git" and not ignored.match_file(prefix + d + "/")]
        for name in files:
            rel = prefix + name
            if not ignored.match_file(rel):
                out.add(rel)
    return out
