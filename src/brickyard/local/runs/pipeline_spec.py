"""A stored pipeline's settings as the executor's `PipelineSpec`: local files, local storage.

Library paths are workspace paths. A `.py` or `.sql` uploaded with a notebook header is stored as a
notebook without its extension (the bundle still names `x.py`), and in a git folder a notebook `x`
is the file `x.py`; both are found here. Globs are mapped by their prefix and expanded by the
executor. A pipeline's storage is a DBFS path (`dbfs:/pipelines/<id>` unless the settings name
another), which is a directory under the workspace's storage root like every DBFS path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from brickyard.errors import PipelineError
from brickyard.local.protocol import storage_file, workspace_file
from brickyard.local.store.pipelines import PipelineRecord

if TYPE_CHECKING:
    from brickyard.local.home import LocalHome
    from brickyard.pipelines.spec import PipelineSpec

_NOTEBOOK_SUFFIXES = (".py", ".sql", ".ipynb")
_GLOB_CHARS = set("*?[")


def pipeline_storage(home: LocalHome, record: PipelineRecord) -> Path:
    """The local directory behind the pipeline's storage (checkpoints and datasets' Delta files)."""
    configured = str(record.spec.get("storage") or "")
    if configured.startswith("/") and not configured.startswith(("/Volumes/", "/dbfs/")):
        configured = "dbfs:" + configured
    try:
        return storage_file(home.storage_root, configured)
    except ValueError:
        return storage_file(home.storage_root, f"dbfs:/pipelines/{record.pipeline_id}")


def resolve_workspace_path(workspace_root: Path, path: str) -> Path:
    """The local file of a workspace path as a pipeline library names it (see the module docstring)."""
    try:
        local = workspace_file(workspace_root, path)
    except ValueError as err:
        raise PipelineError(str(err), file=path) from None
    if local.exists() or _GLOB_CHARS & set(path):
        return local
    if local.suffix.lower() in _NOTEBOOK_SUFFIXES and local.with_suffix("").is_file():
        return local.with_suffix("")
    for suffix in _NOTEBOOK_SUFFIXES:
        candidate = local.with_name(local.name + suffix)
        if not local.suffix and candidate.is_file():
            return candidate
    return local


def build_spec(home: LocalHome, record: PipelineRecord) -> PipelineSpec:
    """The spec of one update; a library that is not in the workspace fails here, by its workspace path."""
    from brickyard.pipelines.spec import PipelineSpec

    for index, library in enumerate(record.spec.get("libraries") or []):
        kind = next((k for k in ("notebook", "file") if library.get(k)), None)
        if kind is None:
            continue
        path = str(library[kind].get("path", ""))
        if not resolve_workspace_path(home.workspace_root, path).is_file():
            raise PipelineError(
                f"libraries[{index}]: the {kind} {path} does not exist in the workspace; "
                "deploy it (brickyard deploy) or fix the path",
                file=path,
            )
    return PipelineSpec.from_settings(
        record.spec,
        pipeline_id=record.pipeline_id,
        storage=pipeline_storage(home, record),
        resolve_path=lambda p: resolve_workspace_path(home.workspace_root, p),
        storage_root=home.storage_root,
    )
