"""Local paths in resources: resolved against the YAML file that wrote them, checked, translated.

As with `databricks bundle`, `notebook_path: ../notebooks/ingest.py` written in
`resources/etl.yml` means `<root>/notebooks/ingest.py`, and the resolved configuration names its
deployed location, `${workspace.file_path}/notebooks/ingest` (notebooks lose their extension).
Library paths stay local (relative to the bundle root) until deploy uploads them. Remote paths
(`/Workspace/…`, `/Volumes/…`, `dbfs:/…`, `s3://…`) and tasks sourced from git are left alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path as FsPath

from brickyard.bundle.node import Node, Path, format_path, lookup, map_entries, map_items
from brickyard.errors import Diagnostic, Severity
from brickyard.notebooks import is_notebook, strip_notebook_extension

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_GLOB = re.compile(r"[*?\[]")
_REQUIREMENTS_FLAG = re.compile(r"^(?:-r|--requirement)(?:\s+|=)(\S+)$")

NOTEBOOK, FILE, DIRECTORY, GLOB, LIBRARY, DEPENDENCY, LOCAL = (
    "notebook",
    "file",
    "directory",
    "glob",
    "library",
    "dependency",
    "local",
)

_TASK_FIELDS: tuple[tuple[Path, str], ...] = (
    (("notebook_task", "notebook_path"), NOTEBOOK),
    (("spark_python_task", "python_file"), FILE),
    (("dbt_task", "project_directory"), DIRECTORY),
    # dbt_task.profiles_directory is not translated: dbt reads it relative to the project directory.
    (("sql_task", "file", "path"), FILE),
    (("libraries", "*", "whl"), LIBRARY),
    (("libraries", "*", "jar"), LIBRARY),
    (("libraries", "*", "requirements"), LIBRARY),
)


@dataclass
class PathTranslator:
    root: FsPath
    file_path: str
    diags: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, FsPath] = field(default_factory=dict)
    """Deployed path → local file, for every path translated."""
    sync_root: FsPath | None = None
    """The directory `${workspace.file_path}` mirrors: the bundle root, or above it when `sync.paths`
    reaches outside it."""
    resource_dirs: dict[tuple[str, str], str] = field(default_factory=dict)
    """(kind, key) → the folder of the file that first defines the resource, before any target."""
    _root: str = ""
    _resource_dir: str | None = None
    """Where the resource being translated is defined: the CLI's fallback base for its paths."""
    _failed: bool = False
    relative_to_resource: int = 0
    """How many paths were written relative to their resource's file rather than their own."""
    _sync: str = ""
    _pending: list[tuple[Node, str]] = field(default_factory=list)
    """Translations found by `run`, written by `commit`."""
    _cleaned: list[tuple[Node, str]] = field(default_factory=list)
    """Every local path `run` met, relative to the bundle root and cleaned (`./a.py` is `a.py`):
    what a failed run leaves in the configuration, as the CLI does before it translates."""

    def commit(self) -> None:
        for node, value in self._pending:
            node.value = value
        self._pending.clear()

    def clean(self) -> None:
        """Write the paths as the CLI shows them when translation stopped: relative to the root."""
        for node, value in self._cleaned:
            node.value = value
        self._cleaned.clear()

    def run(self, config: Node) -> None:
        self._root = os.path.normpath(str(self.root.resolve()))
        self._sync = os.path.normpath(str((self.sync_root or self.root).resolve()))
        resources = config.get("resources")
        for key, job in map_entries(resources, "jobs"):
            self._resource_dir = self.resource_dirs.get(("jobs", key), _dir_of(job))
            job_git = job.get("git_source") is not None
            # Field by field over all tasks, as the CLI walks them: its first failure is the one shown.
            for field_kind in _TASK_FIELDS:
                for index, task in enumerate(map_items(job.get("tasks"))):
                    self._task(task, ("resources", "jobs", key, "tasks", index), job_git, field_kind)
            # Environments' dependencies, and files of environment variables (synced like any file).
            for env_key, list_key, kind in (
                ("environments", "dependencies", DEPENDENCY),
                ("environment_variables", "files", FILE),
            ):
                for index, env in enumerate(map_items(job.get(env_key))):
                    items = lookup(env, ("spec", list_key))
                    for item_index, item in enumerate(
                        items.value if items is not None and items.is_seq else []
                    ):
                        where = ("resources", "jobs", key, env_key, index, "spec", list_key, item_index)
                        self._translate(item, where, kind)
            # an environment described by a project file (pyproject.toml), synced like any file
            for index, env in enumerate(map_items(job.get("environments"))):
                if (node := lookup(env, ("spec", "project_environment"))) is not None:
                    project: Path = (
                        "resources",
                        "jobs",
                        key,
                        "environments",
                        index,
                        "spec",
                        "project_environment",
                    )
                    self._translate(node, project, FILE)
        for key, pipeline in map_entries(resources, "pipelines"):
            self._resource_dir = self.resource_dirs.get(("pipelines", key), _dir_of(pipeline))
            for sub, kind in (
                (("notebook", "path"), NOTEBOOK),
                (("file", "path"), FILE),
                (("glob", "include"), GLOB),
            ):
                for index, library in enumerate(map_items(pipeline.get("libraries"))):
                    base = ("resources", "pipelines", key, "libraries", index)
                    if (node := lookup(library, sub)) is not None:
                        self._translate(node, (*base, *sub), kind)
            if (node := pipeline.get("root_path")) is not None:
                self._translate(node, ("resources", "pipelines", key, "root_path"), DIRECTORY)
        self._resource_dir = None
        for key, alert in map_entries(resources, "alerts"):
            if (node := alert.get("file_path")) is not None:
                self._translate(node, ("resources", "alerts", key, "file_path"), FILE)
        for key, app in map_entries(resources, "apps"):
            if (node := app.get("source_code_path")) is not None:
                self._translate(node, ("resources", "apps", key, "source_code_path"), DIRECTORY)
        for key, artifact in map_entries(config.get("artifacts")):
            if (node := artifact.get("path")) is not None:
                self._translate(node, ("artifacts", key, "path"), LOCAL)

    def _task(self, task: Node, path: Path, job_git: bool, field_kind: tuple[Path, str]) -> None:
        source = task.get("source")
        from_git = (source is not None and source.value == "GIT") or (job_git and source is None)
        sub, kind = field_kind
        if not from_git:  # paths inside the git repository, libraries included, stay as written
            for node, node_path in _expand(task, sub, path):
                self._translate(node, node_path, kind)
        nested = lookup(task, ("for_each_task", "task"))
        if nested is not None and nested.is_map:
            self._task(nested, (*path, "for_each_task", "task"), job_git, field_kind)

    def _translate(self, node: Node, path: Path, kind: str) -> None:
        value = node.value
        if not isinstance(value, str) or not value or "${" in value:
            return
        if kind == DEPENDENCY and (flag := _REQUIREMENTS_FLAG.match(value)):
            # `-r ../requirements.txt`: the file is synced; pip reads it from its deployed path.
            inner = Node(flag.group(1), node.loc, node.key_loc)
            self._translate(inner, path, FILE)
            for found in (self._pending, self._cleaned):
                found[:] = [(node, f"-r {v}") if n is inner else (n, v) for n, v in found]
            return
        if kind == DEPENDENCY and not (value.startswith(("./", "../")) or value.endswith((".whl", ".txt"))):
            return  # a PyPI requirement such as `pandas==2.2`, not a path
        if value.startswith("/") or _SCHEME.match(value):
            return
        # Lexical normalisation, as the Databricks CLI does: cheap, and symlinks stay the user's business.
        # Paths written in Python (resources from the `python:` section) are relative to the root.
        written_in = node.loc.file if node.loc is not None and not node.loc.file.endswith(".py") else ""
        declared_in = os.path.dirname(written_in)
        joined = os.path.normpath(os.path.join(self._root, declared_in, value))
        if kind != LOCAL:
            self._cleaned.append((node, FsPath(os.path.relpath(joined, self._root)).as_posix()))
        if self._relative_to_resource(node, value, declared_in, joined):
            return
        outside = joined != self._sync and not joined.startswith(self._sync.rstrip(os.sep) + os.sep)
        local = FsPath(joined)
        if kind in (LIBRARY, DEPENDENCY):  # local files are uploaded, not synced: named from the root
            self._library(node, path, value, local, FsPath(os.path.relpath(joined, self._root)).as_posix())
            return
        if outside and kind != LOCAL:
            # nothing outside what is synced reaches the workspace, so nothing there can be named
            self._failure(f"path {joined} is not contained in sync root path")
            return
        if outside:
            return
        relative = FsPath(os.path.relpath(joined, self._sync)).as_posix()
        if kind == LOCAL:
            self._pending.append((node, str(local)))
        elif kind == GLOB:
            self._glob(node, path, value, local, relative)
        else:
            self._workspace_file(node, path, value, local, relative, kind)

    def _workspace_file(
        self, node: Node, path: Path, value: str, local: FsPath, relative: str, kind: str
    ) -> None:
        what = {NOTEBOOK: "notebook", FILE: "file", DIRECTORY: "directory"}[kind]
        if not local.exists():
            self._not_found(what, local, path)
            return
        where = format_path(path)
        if kind == DIRECTORY and not local.is_dir():
            self._failure(f"{local} is not a directory")
            return
        if kind == NOTEBOOK:
            if not is_notebook(local):
                self._failure(
                    f'expected a notebook for "{where}" but got a file: file at {local} is not a notebook'
                )
                return
            relative = strip_notebook_extension(relative)
        elif kind == FILE and is_notebook(local):
            self._failure(f'expected a file for "{where}" but got a notebook: file at {local} is a notebook')
            return
        remote = f"{self.file_path}/{relative}" if relative != "." else self.file_path
        self.sources[remote] = local
        self._pending.append((node, remote))

    def _glob(self, node: Node, path: Path, value: str, local: FsPath, relative: str) -> None:
        parts = FsPath(relative).parts
        static = FsPath(*parts[: _first_glob(parts)])
        if not (FsPath(self._sync) / static).exists():
            self._error(f"{value} matches nothing: {static.as_posix() or '.'} does not exist", node, path)
            return
        self._pending.append((node, f"{self.file_path}/{relative}"))

    def _library(self, node: Node, path: Path, value: str, local: FsPath, relative: str) -> None:
        """A library may not exist before its artifact is built: deploy says so if it still does not."""
        self._pending.append((node, relative))

    def _not_found(self, what: str, local: FsPath, path: Path) -> None:
        """The CLI's wording: the path from the bundle root."""
        shown = FsPath(os.path.relpath(local, self._root)).as_posix()
        if what == "directory":
            self._failure(f"stat {shown}: no such file or directory")
        elif what == "notebook" and not local.suffix:
            extensions = (".py", ".r", ".scala", ".sql", ".ipynb")
            listed = ", ".join(extensions)
            near = next((ext for ext in extensions if local.with_name(local.name + ext).exists()), None)
            if near:
                self._failure(
                    f'notebook "{shown}" not found. Did you mean "{shown}{near}"?\n'
                    "Local notebook references are expected to contain one of the following\n"
                    f"file extensions: [{listed}]"
                )
            else:
                self._failure(
                    f'notebook "{shown}" not found. Local notebook references are expected\n'
                    f"to contain one of the following file extensions: [{listed}]"
                )
        else:
            self._failure(f"{what} {shown} not found")

    def _relative_to_resource(self, node: Node, value: str, declared_in: str, joined: str) -> bool:
        """A path that exists only relative to the resource's own file, not to the file that sets it
        (an override in another folder): the CLI used to fall back to it and now refuses it."""
        fallback = self._resource_dir
        if fallback is None or fallback == declared_in or node.loc is None or _GLOB.search(value):
            return False
        if os.path.exists(joined):
            return False
        base = os.path.normpath(os.path.join(self._root, fallback))
        if not os.path.exists(os.path.join(base, value)):
            return False
        written = f"{os.path.join(self._root, node.loc.file)}:{node.loc.line}:{node.loc.column}"
        self.diags.append(
            Diagnostic(
                Severity.ERROR,
                f"path {value} is defined relative to the {base} directory ({written}). "
                "Please update the path to be relative to the file where it is defined.",
                location=node.loc,
                also=node.also,
            )
        )
        self.relative_to_resource += 1
        return True

    @property
    def failed(self) -> bool:
        """A path could not be translated (not found, or of the wrong kind)."""
        return self._failed

    def _failure(self, summary: str) -> None:
        """A path that cannot be translated. The CLI stops at the first one and names no location."""
        if not self._failed:
            self._failed = True
            self.diags.append(Diagnostic(Severity.ERROR, summary))

    def _error(self, summary: str, node: Node, path: Path) -> None:
        self.diags.append(Diagnostic(Severity.ERROR, summary, format_path(path), node.loc))


def definition_dirs(tree: Node) -> dict[tuple[str, str], str]:
    """Where each job and pipeline is defined, read before targets are merged over it."""
    found = {}
    for kind in ("jobs", "pipelines"):
        for key, resource in map_entries(tree.get("resources"), kind):
            if (where := _dir_of(resource)) is not None:
                found[(kind, key)] = where
    return found


def _dir_of(resource: Node) -> str | None:
    """The folder of the file that defines a resource (None for resources written in Python)."""
    loc = resource.key_loc or resource.loc
    if loc is None or loc.file.endswith(".py"):
        return None
    return os.path.dirname(loc.file)


def _first_glob(parts: tuple[str, ...]) -> int:
    return next((index for index, part in enumerate(parts) if _GLOB.search(part)), len(parts))


def _expand(node: Node, sub: Path, base: Path) -> Iterator[tuple[Node, Path]]:
    """Nodes matching `sub` below `node`, where `*` matches every element of a list."""
    if not sub:
        yield node, base
        return
    head, rest = sub[0], sub[1:]
    if head == "*":
        if node.is_seq:
            for index, item in enumerate(node.value):
                yield from _expand(item, rest, (*base, index))
        return
    child = node.get(str(head)) if node.is_map else None
    if child is not None:
        yield from _expand(child, rest, (*base, head))


def expand_pipeline_globs(config: Node, root: FsPath) -> None:
    """A pipeline library `notebook: {path: ./etl/*}` or `file: {path: …/*.py}` becomes one library
    per matching file, in name order, as the Databricks CLI expands them (a `glob:` library stays)."""
    import glob as globbing

    base_dir = os.path.normpath(str(root.resolve()))
    for _, pipeline in map_entries(config.get("resources"), "pipelines"):
        libraries = pipeline.get("libraries")
        if libraries is None or not libraries.is_seq:
            continue
        expanded: list[Node] = []
        for library in libraries.value:
            kind = next((k for k in ("notebook", "file") if lookup(library, (k, "path")) is not None), None)
            node = lookup(library, (kind, "path")) if kind else None
            value = node.value if node is not None else None
            if (
                node is None
                or not isinstance(value, str)
                or not _GLOB.search(value)
                or "${" in value
                or value.startswith("/")
                or _SCHEME.match(value)
            ):
                expanded.append(library)
                continue
            declared_in = os.path.join(base_dir, os.path.dirname(node.loc.file) if node.loc else "")
            matches = sorted(p for p in globbing.glob(os.path.join(declared_in, value)) if os.path.isfile(p))
            if not matches:
                expanded.append(library)  # translation reports it as not found
                continue
            for match in matches:
                copy = library.copy()
                target = lookup(copy, (str(kind), "path"))
                assert target is not None
                target.value = FsPath(os.path.relpath(match, declared_in)).as_posix()
                expanded.append(copy)
        libraries.value = expanded
