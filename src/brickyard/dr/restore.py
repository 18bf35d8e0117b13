"""`brickyard restore`: tables back at a backed-up version, verified before they are registered.

Everything that can be refused is refused before anything is written: the backup is chosen (the
newest, `--backup ID`, or the newest taken at or before `--at`), the destination names are checked
(an existing table is only replaced with `--replace`). Then each table's files are copied into a
fresh folder under the storage root, each checked against the checksum recorded at backup; a log of
one commit is written; the row count read back must equal the backup's; only then is the table
registered (catalog and schema created where missing) and its grants applied. A table that fails
verification is removed again and never registered.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickyard.context import AppContext
from brickyard.dr.backup import COPY_THREADS
from brickyard.dr.location import Location, file_sha256
from brickyard.dr.manifest import Manifest, TableBackup, choose, data_key, list_manifests
from brickyard.dr.snapshot import DataFile, count_rows, write_log
from brickyard.dr.tables import normalize
from brickyard.dr.workspace import RecoveryTarget, open_recovery
from brickyard.errors import RecoveryError, UsageError

RESTORED_DIR = "restored"


@dataclass(frozen=True)
class RestoreOptions:
    target: str | None = None
    variables: Sequence[str] = ()
    profile: str | None = None
    source: str | None = None
    backup_id: str | None = None
    at: str | None = None
    tables: Sequence[str] = ()
    suffix: str = ""
    """Restore beside the originals: `orders` comes back as `orders<suffix>`."""
    storage_root: str | None = None
    replace: bool = False


@dataclass(frozen=True)
class Restored:
    source: str
    table: str
    version: int
    rows: int
    files: int
    bytes: int
    storage_location: str
    grants: int

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def run_restore(ctx: AppContext, options: RestoreOptions) -> list[Restored]:
    recovery = open_recovery(ctx, options.target, options.variables, options.profile)
    location = recovery.location(options.source)
    manifest = choose(list_manifests(location), options.backup_id, options.at, location.url)
    restored = restore_backup(ctx, recovery, location, manifest, options)
    ctx.output.result(
        {"backup_id": manifest.id, "created": manifest.created, "tables": [r.as_json() for r in restored]},
        _text(manifest, restored),
    )
    return restored


def restore_backup(
    ctx: AppContext,
    recovery: RecoveryTarget,
    location: Location,
    manifest: Manifest,
    options: RestoreOptions,
) -> list[Restored]:
    chosen = _chosen(manifest, options.tables)
    names = {t.full_name: _renamed(t.full_name, options.suffix) for t in chosen}
    client = recovery.client
    existing = [n for n in names.values() if client.tables.exists(n).table_exists]
    if existing and not options.replace:
        raise RecoveryError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
            "restore beside them with --suffix, or replace them with --replace"
        )
    root = _storage_root(recovery, options.storage_root)
    done = []
    for table in chosen:
        done.append(_restore_table(ctx, recovery, location, table, names[table.full_name], root, existing))
    return done


def _chosen(manifest: Manifest, patterns: Sequence[str]) -> list[TableBackup]:
    if not patterns:
        return manifest.tables
    import fnmatch

    globs = [normalize(p) for p in patterns]
    chosen = [t for t in manifest.tables if any(fnmatch.fnmatchcase(t.full_name.lower(), g) for g in globs)]
    if not chosen:
        raise RecoveryError(f"backup {manifest.id} has no table matching {', '.join(patterns)}")
    return chosen


def _renamed(full_name: str, suffix: str) -> str:
    if suffix and not re.fullmatch(r"[A-Za-z0-9_]+", suffix):
        raise UsageError(f"--suffix {suffix!r}: use letters, digits and underscores")
    return full_name + suffix


def _storage_root(recovery: RecoveryTarget, given: str | None) -> Path:
    if given:
        if "://" in given and not given.startswith("file://"):
            raise RecoveryError(
                f"--storage-root {given}: restores write through local or mounted storage; "
                "mount the external location or restore into the local workspace"
            )
        return Path(given.removeprefix("file://")).resolve()
    home = recovery.local_home()
    if home is None:
        raise RecoveryError("pass --storage-root: the folder or mount where restored tables' data goes")
    return home / "warehouse" / RESTORED_DIR


def _restore_table(
    ctx: AppContext,
    recovery: RecoveryTarget,
    location: Location,
    table: TableBackup,
    name: str,
    root: Path,
    existing: list[str],
) -> Restored:
    catalog, schema, short = name.split(".", 2)
    folder = root / f"{catalog}.{schema}.{short}-{uuid.uuid4().hex[:8]}"
    snapshot = table.snapshot

    def fetch(file: DataFile) -> None:
        dest = folder / file.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        digest = location.get_file(data_key(table.full_name, file.path), dest)
        if file.sha256 and digest != file.sha256:
            raise RecoveryError(
                f"{table.full_name}: {file.path} does not match its checksum in backup; the backup is damaged"
            )

    try:
        with (
            ctx.output.progress(f"restoring {name}", total=len(snapshot.files)) as bar,
            ThreadPoolExecutor(max_workers=COPY_THREADS) as pool,
        ):
            for _ in pool.map(fetch, snapshot.files):
                bar.advance()
        write_log(folder, snapshot)
        rows = count_rows(str(folder))
        if rows != snapshot.row_count:
            raise RecoveryError(
                f"{name}: {rows} rows read back, the backup recorded {snapshot.row_count}; not registered"
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _ensure_schema(recovery, catalog, schema)
    client = recovery.client
    if name in existing:
        client.tables.delete(name)
    from databricks.sdk.service.catalog import DataSourceFormat, TableType

    client.tables.create(
        name=short,
        catalog_name=catalog,
        schema_name=schema,
        table_type=TableType.EXTERNAL,
        data_source_format=DataSourceFormat.DELTA,
        storage_location=str(folder),
    )
    granted = recovery.grant("TABLE", name, table.grants)
    return Restored(
        source=table.full_name,
        table=name,
        version=snapshot.version,
        rows=rows,
        files=len(snapshot.files),
        bytes=table.bytes,
        storage_location=str(folder),
        grants=granted,
    )


def _ensure_schema(recovery: RecoveryTarget, catalog: str, schema: str) -> None:
    from databricks.sdk.errors import NotFound

    client = recovery.client
    try:
        client.catalogs.get(catalog)
    except NotFound:
        client.catalogs.create(name=catalog)
    try:
        client.schemas.get(f"{catalog}.{schema}")
    except NotFound:
        client.schemas.create(name=schema, catalog_name=catalog)


def verify_checksums(folder: Path, table: TableBackup) -> list[str]:
    """Files of a restored table whose content differs from the backup (empty when all match)."""
    return [f.path for f in table.snapshot.files if f.sha256 and file_sha256(folder / f.path) != f.sha256]


def _text(manifest: Manifest, restored: list[Restored]) -> str:
    lines = [f"Restored from backup {manifest.id} ({manifest.created}):"]
    for r in restored:
        lines.append(f"  {r.table} <- {r.source} @ v{r.version}: {r.rows} rows, {r.files} files, verified")
    return "\n".join(lines)
