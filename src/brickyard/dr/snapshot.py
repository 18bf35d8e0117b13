"""A Delta table at one version: the data files that version reads, its schema and its protocol.

Read with delta-rs (`deltalake`), which understands the whole log (JSON commits and checkpoints)
of tables written by Databricks, Spark or the local engine. A backup copies exactly these files; a
restore writes them back beside a new log of one commit that adds them all, which any Delta reader
opens as that version's data. Tables whose files carry deletion vectors are refused with the
command that purges them, because a file copy alone would bring deleted rows back.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

from brickyard.errors import RecoveryError

LOG_DIR = "_delta_log"


@dataclass(frozen=True)
class DataFile:
    path: str
    """Relative to the table's root, as the log names it (decoded)."""
    size: int
    records: int | None = None
    partition_values: dict[str, str | None] = field(default_factory=dict)
    sha256: str = ""

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> DataFile:
        return cls(
            path=str(doc["path"]),
            size=int(doc["size"]),
            records=None if doc.get("records") is None else int(doc["records"]),
            partition_values=dict(doc.get("partition_values") or {}),
            sha256=str(doc.get("sha256") or ""),
        )


@dataclass(frozen=True)
class TableSnapshot:
    storage_location: str
    version: int
    timestamp_ms: int
    schema_string: str
    partition_columns: list[str]
    configuration: dict[str, str]
    protocol: dict[str, Any]
    files: list[DataFile]
    row_count: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> TableSnapshot:
        return cls(
            storage_location=str(doc["storage_location"]),
            version=int(doc["version"]),
            timestamp_ms=int(doc["timestamp_ms"]),
            schema_string=str(doc["schema_string"]),
            partition_columns=list(doc.get("partition_columns") or []),
            configuration=dict(doc.get("configuration") or {}),
            protocol=dict(doc.get("protocol") or {}),
            files=[DataFile.from_json(f) for f in doc.get("files") or []],
            row_count=int(doc["row_count"]),
        )


def local_path(storage_location: str) -> Path | None:
    """The folder of a `file:` location (or a plain path); None for object-store locations."""
    if storage_location.startswith("file:"):
        return Path(unquote(urlparse(storage_location).path))
    if storage_location.startswith("/"):
        return Path(storage_location)
    return None


def table_uri(storage_location: str) -> str:
    path = local_path(storage_location)
    return str(path) if path is not None else storage_location.rstrip("/")


def read_snapshot(storage_location: str, version: int | None = None) -> TableSnapshot:
    from deltalake import DeltaTable
    from deltalake.exceptions import DeltaError, TableNotFoundError

    uri = table_uri(storage_location)
    try:
        table = DeltaTable(uri, version=version)
    except TableNotFoundError:
        raise RecoveryError(f"no Delta table at {storage_location}") from None
    except (DeltaError, OSError) as err:
        raise RecoveryError(f"cannot read the Delta table at {storage_location}: {err}") from None
    protocol = table.protocol()
    files = _files(table)
    at = table.version()
    return TableSnapshot(
        storage_location=storage_location,
        version=at,
        timestamp_ms=_version_timestamp(table, at),
        schema_string=table.schema().to_json(),
        partition_columns=list(table.metadata().partition_columns),
        configuration=dict(table.metadata().configuration),
        protocol={
            "minReaderVersion": protocol.min_reader_version,
            "minWriterVersion": protocol.min_writer_version,
            **({"readerFeatures": list(protocol.reader_features)} if protocol.reader_features else {}),
            **({"writerFeatures": list(protocol.writer_features)} if protocol.writer_features else {}),
        },
        files=files,
        row_count=_row_count(table, files),
    )


def _row_count(table: Any, files: list[DataFile]) -> int:
    """From the files' statistics where every file has them, else by reading the row groups' footers."""
    if all(f.records is not None for f in files):
        return sum(f.records or 0 for f in files)
    return int(table.to_pyarrow_dataset().count_rows())


def _files(table: Any) -> list[DataFile]:
    import pyarrow as pa

    actions = pa.table(table.get_add_actions(flatten=True))
    if "deletionVector" in actions.column_names or any(
        name.startswith("deletion_vector") for name in actions.column_names
    ):
        dv = [c for c in actions.column_names if "deletion" in c.lower()]
        if any(v is not None for c in dv for v in actions.column(c).to_pylist()):
            raise RecoveryError(
                f"{table.table_uri} has deletion vectors; purge them first "
                "(REORG TABLE … APPLY (PURGE)) so that its data files hold exactly its rows"
            )
    partitions = [c for c in actions.column_names if c.startswith("partition.")]
    files = []
    for row in actions.to_pylist():
        files.append(
            DataFile(
                path=str(row["path"]),
                size=int(row["size_bytes"]),
                records=None if row.get("num_records") is None else int(row["num_records"]),
                partition_values={c.removeprefix("partition."): _partition_text(row[c]) for c in partitions},
            )
        )
    return files


def _partition_text(value: Any) -> str | None:
    """A partition value as the Delta log writes it (a string, or null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _version_timestamp(table: Any, version: int) -> int:
    for entry in table.history(1):
        if int(entry.get("version", version)) == version and entry.get("timestamp"):
            return int(entry["timestamp"])
    return 0


def write_log(root: Path, snapshot: TableSnapshot) -> None:
    """A fresh log of one commit that adds exactly the snapshot's files (the restored table's v0)."""
    now = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    lines: list[dict[str, Any]] = [
        {
            "commitInfo": {
                "timestamp": now,
                "operation": "RESTORE",
                "operationParameters": {"version": snapshot.version, "source": snapshot.storage_location},
                "engineInfo": "brickyard-dr",
            }
        },
        {"protocol": snapshot.protocol or {"minReaderVersion": 1, "minWriterVersion": 2}},
        {
            "metaData": {
                "id": str(uuid.uuid4()),
                "format": {"provider": "parquet", "options": {}},
                "schemaString": snapshot.schema_string,
                "partitionColumns": snapshot.partition_columns,
                "configuration": snapshot.configuration,
                "createdTime": now,
            }
        },
    ]
    for file in snapshot.files:
        add: dict[str, Any] = {
            "path": quote(file.path, safe="/="),
            "partitionValues": file.partition_values,
            "size": file.size,
            "modificationTime": now,
            "dataChange": True,
        }
        if file.records is not None:
            add["stats"] = json.dumps({"numRecords": file.records})
        lines.append({"add": add})
    log = root / LOG_DIR
    log.mkdir(parents=True, exist_ok=True)
    text = "\n".join(json.dumps(line, separators=(",", ":")) for line in lines) + "\n"
    (log / f"{0:020d}.json").write_text(text, encoding="utf-8")


def count_rows(storage_location: str) -> int:
    from deltalake import DeltaTable

    return int(DeltaTable(table_uri(storage_location)).to_pyarrow_dataset().count_rows())
