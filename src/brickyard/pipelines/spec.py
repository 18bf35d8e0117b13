"""What one pipeline update needs: the pipeline (`PipelineSpec`), the update's options, its result.

These are plain values so that the local workspace server can build them from the Pipelines API
settings, hand them to a worker process as JSON, and read the result back. `from_settings` is the
seam for that server: it maps the Databricks pipeline settings (`libraries`, `catalog`, `schema` or
legacy `target`, `configuration`, `development`, `root_path`) onto a spec, resolving workspace paths
to local files through a function the caller provides.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from brickyard.errors import PipelineError

LibraryKind = Literal["file", "notebook", "glob"]
UpdateState = Literal["COMPLETED", "FAILED", "CANCELED"]
FlowStatus = Literal["COMPLETED", "FAILED", "SKIPPED", "EXCLUDED"]


@dataclass(frozen=True)
class Library:
    """One pipeline source entry, already resolved to a local path.

    `file` and `notebook` name one file; `glob` is a local path that may contain `*` / `**` (a path
    ending in `/**`, or a plain directory, includes every source file below it).
    """

    kind: LibraryKind
    path: str


@dataclass(frozen=True)
class PipelineSpec:
    """A pipeline as an update sees it. `storage` holds checkpoints and the datasets' Delta files."""

    name: str
    id: str
    libraries: tuple[Library, ...]
    storage: str
    catalog: str | None = None
    schema: str | None = None
    configuration: Mapping[str, str] = field(default_factory=dict)
    development: bool = False
    root_path: str | None = None
    storage_root: str | None = None
    """The local workspace's storage root, so `dbfs:/…` and `/Volumes/…` paths in sources resolve."""

    @property
    def publishes(self) -> bool:
        """A pipeline without a target schema keeps its tables in storage only, as legacy DLT did."""
        return bool(self.schema)

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["libraries"] = [asdict(lib) for lib in self.libraries]
        doc["configuration"] = dict(self.configuration)
        return doc

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> PipelineSpec:
        libraries = tuple(
            Library(kind=lib["kind"], path=str(lib["path"])) for lib in doc.get("libraries", [])
        )
        return cls(
            name=str(doc["name"]),
            id=str(doc["id"]),
            libraries=libraries,
            storage=str(doc["storage"]),
            catalog=doc.get("catalog"),
            schema=doc.get("schema"),
            configuration={str(k): str(v) for k, v in (doc.get("configuration") or {}).items()},
            development=bool(doc.get("development", False)),
            root_path=doc.get("root_path"),
            storage_root=doc.get("storage_root"),
        )

    @classmethod
    def from_settings(
        cls,
        settings: Mapping[str, Any],
        *,
        pipeline_id: str,
        storage: Path,
        resolve_path: Callable[[str], Path],
        storage_root: Path | None = None,
    ) -> PipelineSpec:
        """A spec from Pipelines API settings (`pipelines/get` → `spec`).

        `resolve_path` maps a workspace path (`/Workspace/…`, `/Users/…`) to the local file that holds
        it. Legacy `target` without `catalog` publishes to `hive_metastore`, as on Databricks.
        """
        libraries: list[Library] = []
        for index, entry in enumerate(settings.get("libraries") or []):
            if "file" in entry:
                libraries.append(Library("file", str(resolve_path(entry["file"]["path"]))))
            elif "notebook" in entry:
                libraries.append(Library("notebook", str(resolve_path(entry["notebook"]["path"]))))
            elif "glob" in entry:
                libraries.append(Library("glob", str(resolve_path(entry["glob"]["include"]))))
            else:
                kinds = ", ".join(sorted(entry)) or "nothing"
                raise PipelineError(
                    f"libraries[{index}] is {kinds}; the local executor runs file, notebook and glob "
                    "libraries only (jar, maven and whl libraries need a Databricks workspace)"
                )
        catalog = settings.get("catalog")
        schema = settings.get("schema") or settings.get("target")
        if schema and not catalog and settings.get("target"):
            catalog = "hive_metastore"
        root = settings.get("root_path")
        return cls(
            name=str(settings.get("name") or pipeline_id),
            id=pipeline_id,
            libraries=tuple(libraries),
            storage=str(storage),
            catalog=catalog,
            schema=schema,
            configuration={str(k): str(v) for k, v in (settings.get("configuration") or {}).items()},
            development=bool(settings.get("development", False)),
            root_path=str(resolve_path(root)) if root else None,
            storage_root=str(storage_root) if storage_root else None,
        )


@dataclass(frozen=True)
class UpdateOptions:
    """How to run one update, as `pipelines/start-update` spells it."""

    update_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    full_refresh: bool = False
    refresh_selection: tuple[str, ...] = ()
    full_refresh_selection: tuple[str, ...] = ()
    validate_only: bool = False
    cause: str = "API_CALL"

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["refresh_selection"] = list(self.refresh_selection)
        doc["full_refresh_selection"] = list(self.full_refresh_selection)
        return doc

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> UpdateOptions:
        return cls(
            update_id=str(doc.get("update_id") or uuid.uuid4()),
            full_refresh=bool(doc.get("full_refresh", False)),
            refresh_selection=tuple(doc.get("refresh_selection") or ()),
            full_refresh_selection=tuple(doc.get("full_refresh_selection") or ()),
            validate_only=bool(doc.get("validate_only", False)),
            cause=str(doc.get("cause") or "API_CALL"),
        )


@dataclass
class FlowResult:
    """What one flow did in an update; the numbers match its last `flow_progress` event."""

    name: str
    dataset: str
    status: FlowStatus
    num_output_rows: int = 0
    num_upserted_rows: int = 0
    num_deleted_rows: int = 0
    dropped_records: int = 0
    expectations: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


@dataclass
class UpdateResult:
    """The outcome of `run_update`. A failed update names the dataset and file that failed."""

    update_id: str
    pipeline_id: str
    state: UpdateState
    flows: dict[str, FlowResult] = field(default_factory=dict)
    error: str | None = None
    error_dataset: str | None = None
    error_file: str | None = None
    duration_seconds: float = 0.0

    def raise_for_state(self) -> None:
        """Raise the update's failure as a `PipelineError`, for callers that want exceptions."""
        if self.state != "COMPLETED":
            raise PipelineError(
                self.error or f"the update ended {self.state}",
                dataset=self.error_dataset,
                file=self.error_file,
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> UpdateResult:
        flows = {name: FlowResult(**flow) for name, flow in (doc.get("flows") or {}).items()}
        return cls(
            update_id=str(doc["update_id"]),
            pipeline_id=str(doc["pipeline_id"]),
            state=doc["state"],
            flows=flows,
            error=doc.get("error"),
            error_dataset=doc.get("error_dataset"),
            error_file=doc.get("error_file"),
            duration_seconds=float(doc.get("duration_seconds", 0.0)),
        )
