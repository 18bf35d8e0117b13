"""Pipeline definitions and their updates, stored in the shapes the Pipelines API returns.

A pipeline's settings are kept as the `spec` that `pipelines/get` answers with: what was sent,
minus the request-only fields, plus what a workspace fills in itself (`id`, `edition`, `channel`,
and the default `storage` of a pipeline that publishes to the Hive metastore). Updates are stored
as `UpdateInfo` documents whose `state` the update runner moves along; the event log lives next
door (`store.pipeline_events`).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.store.db import Database, dumps, loads

REQUEST_ONLY = ("allow_duplicate_names", "dry_run", "pipeline_id", "expected_last_modified", "run_as")
LIBRARY_KINDS = ("notebook", "file", "glob", "jar", "maven", "whl")
ACTIVE_UPDATE_STATES = (
    "QUEUED",
    "CREATED",
    "WAITING_FOR_RESOURCES",
    "INITIALIZING",
    "RESETTING",
    "SETTING_UP_TABLES",
    "RUNNING",
    "STOPPING",
)


@dataclass(frozen=True)
class PipelineRecord:
    pipeline_id: str
    name: str
    creator: str
    created_time: int
    last_modified: int
    spec: dict[str, Any]
    run_as: dict[str, Any]

    @property
    def run_as_user(self) -> str:
        return str(self.run_as.get("user_name") or self.run_as.get("service_principal_name") or self.creator)


def missing_pipeline(pipeline_id: Any) -> ApiError:
    return ApiError.not_found(f"The specified pipeline {pipeline_id} was not found.")


def normalize_spec(body: dict[str, Any], pipeline_id: str) -> dict[str, Any]:
    """The stored spec for a create or edit body; a malformed body is a 400 naming the field."""
    spec = {k: v for k, v in body.items() if k not in REQUEST_ONLY and v is not None}
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError.invalid("Pipeline name must be a non-empty string.")
    if spec.get("schema") and spec.get("target"):
        raise ApiError.invalid("Only one of schema and target may be set; target is the legacy name.")
    configuration = spec.get("configuration") or {}
    if not isinstance(configuration, dict):
        raise ApiError.invalid("configuration must be an object of string values")
    if configuration:
        spec["configuration"] = {str(k): str(v) for k, v in configuration.items()}
    for index, library in enumerate(spec.get("libraries") or []):
        _check_library(index, library)
    spec["id"] = pipeline_id
    spec.setdefault("edition", "ADVANCED")
    spec.setdefault("channel", "CURRENT")
    if not spec.get("catalog") and not spec.get("storage"):
        spec["storage"] = f"dbfs:/pipelines/{pipeline_id}"
    return spec


def _check_library(index: int, library: Any) -> None:
    kinds = [k for k in LIBRARY_KINDS if isinstance(library, dict) and library.get(k) is not None]
    if len(kinds) != 1:
        raise ApiError.invalid(f"libraries[{index}] must set exactly one of {', '.join(LIBRARY_KINDS)}")
    value = library[kinds[0]]
    key = {"notebook": "path", "file": "path", "glob": "include"}.get(kinds[0])
    if key and not (isinstance(value, dict) and isinstance(value.get(key), str) and value[key]):
        raise ApiError.invalid(f"libraries[{index}].{kinds[0]}.{key} must be a non-empty string")


class PipelineStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- pipelines --------------------------------------------------------------------------------

    def new_id(self) -> str:
        return str(uuid.uuid4())

    def create(self, pipeline_id: str, spec: dict[str, Any], creator: str, run_as: Any) -> PipelineRecord:
        now = _now()
        record = PipelineRecord(pipeline_id, spec["name"], creator, now, now, spec, dict(run_as or {}))
        self.db.execute(
            "INSERT INTO pipelines(pipeline_id, name, creator, created_time, last_modified, doc) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (pipeline_id, record.name, creator, now, now, dumps({"spec": spec, "run_as": record.run_as})),
        )
        return record

    def find(self, pipeline_id: str) -> PipelineRecord | None:
        row = self.db.one("SELECT * FROM pipelines WHERE pipeline_id = ?", (pipeline_id,))
        return None if row is None else _record(row)

    def get(self, pipeline_id: str) -> PipelineRecord:
        record = self.find(pipeline_id)
        if record is None:
            raise missing_pipeline(pipeline_id)
        return record

    def named(self, name: str) -> list[str]:
        """Ids of the pipelines called `name` (names are unique unless a caller allowed duplicates)."""
        rows = self.db.query("SELECT pipeline_id FROM pipelines WHERE name = ?", (name,))
        return [str(r["pipeline_id"]) for r in rows]

    def replace(self, pipeline_id: str, spec: dict[str, Any], run_as: Any | None) -> None:
        with self.db.tx():
            record = self.get(pipeline_id)
            keep = record.run_as if run_as is None else dict(run_as)
            self.db.execute(
                "UPDATE pipelines SET name = ?, last_modified = ?, doc = ? WHERE pipeline_id = ?",
                (spec["name"], _now(), dumps({"spec": spec, "run_as": keep}), pipeline_id),
            )

    def delete(self, pipeline_id: str) -> None:
        with self.db.tx() as conn:
            conn.execute("DELETE FROM pipelines WHERE pipeline_id = ?", (pipeline_id,))
            conn.execute("DELETE FROM pipeline_updates WHERE pipeline_id = ?", (pipeline_id,))
            conn.execute("DELETE FROM pipeline_events WHERE pipeline_id = ?", (pipeline_id,))

    def page(
        self, name_like: str | None, notebook: str | None, descending: bool, offset: int, limit: int
    ) -> tuple[list[PipelineRecord], bool]:
        sql, params = "SELECT * FROM pipelines", []
        if name_like is not None:
            sql += " WHERE name LIKE ?"
            params.append(name_like)
        sql += f" ORDER BY created_time {'DESC' if descending else 'ASC'}, pipeline_id"
        records = [_record(r) for r in self.db.query(sql, params)]
        if notebook is not None:
            records = [r for r in records if notebook in _notebooks(r.spec)]
        return records[offset : offset + limit], len(records) > offset + limit

    # ---- updates ----------------------------------------------------------------------------------

    def add_update(self, doc: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO pipeline_updates(update_id, pipeline_id, creation_time, state, doc) "
            "VALUES (?, ?, ?, ?, ?)",
            (doc["update_id"], doc["pipeline_id"], doc["creation_time"], doc["state"], dumps(doc)),
        )

    def set_update_state(self, update_id: str, state: str) -> None:
        row = self.db.one("SELECT doc FROM pipeline_updates WHERE update_id = ?", (update_id,))
        if row is None:
            return
        doc = loads(row["doc"])
        doc["state"] = state
        self.db.execute(
            "UPDATE pipeline_updates SET state = ?, doc = ? WHERE update_id = ?",
            (state, dumps(doc), update_id),
        )

    def get_update(self, pipeline_id: str, update_id: str) -> dict[str, Any]:
        self.get(pipeline_id)
        row = self.db.one(
            "SELECT doc FROM pipeline_updates WHERE pipeline_id = ? AND update_id = ?",
            (pipeline_id, update_id),
        )
        if row is None:
            raise ApiError.not_found(f"Update {update_id} of pipeline {pipeline_id} was not found.")
        found: dict[str, Any] = loads(row["doc"])
        return found

    def updates(self, pipeline_id: str) -> list[dict[str, Any]]:
        """Every update of the pipeline, newest first."""
        rows = self.db.query(
            "SELECT doc FROM pipeline_updates WHERE pipeline_id = ? ORDER BY creation_time DESC, rowid DESC",
            (pipeline_id,),
        )
        return [loads(r["doc"]) for r in rows]

    def unfinished_updates(self) -> list[dict[str, Any]]:
        marks = ",".join("?" for _ in ACTIVE_UPDATE_STATES)
        rows = self.db.query(
            f"SELECT doc FROM pipeline_updates WHERE state IN ({marks})", ACTIVE_UPDATE_STATES
        )
        return [loads(r["doc"]) for r in rows]


def _record(row: Any) -> PipelineRecord:
    doc = loads(row["doc"])
    return PipelineRecord(
        pipeline_id=str(row["pipeline_id"]),
        name=str(row["name"]),
        creator=str(row["creator"]),
        created_time=int(row["created_time"]),
        last_modified=int(row["last_modified"]),
        spec=doc["spec"],
        run_as=doc.get("run_as") or {},
    )


def _notebooks(spec: dict[str, Any]) -> set[str]:
    paths = set()
    for library in spec.get("libraries") or []:
        path = (library.get("notebook") or {}).get("path")
        if path:
            paths.add(path)
            paths.add(path[len("/Workspace") :] if path.startswith("/Workspace/") else f"/Workspace{path}")
    return paths


def _now() -> int:
    return int(time.time() * 1000)
