"""`brickyard backup`: a consistent, incremental snapshot of the project's Delta tables.

For each selected table the version is fixed first (its log read once), then exactly the files of
that version are copied, each hashed while it is copied; files an earlier backup already holds are
not copied again. The table's grants, comment and properties travel with it. The manifest is
written last, then retention removes backups past the project's limits and the files only they used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from brickyard.context import AppContext
from brickyard.dr.location import Location
from brickyard.dr.manifest import (
    Manifest,
    TableBackup,
    data_key,
    list_manifests,
    manifest_key,
    new_backup_id,
    write_manifest,
)
from brickyard.dr.snapshot import DataFile, local_path, read_snapshot
from brickyard.dr.tables import TableRef, require, select_tables
from brickyard.dr.workspace import RecoveryTarget, open_recovery
from brickyard.errors import RecoveryError
from brickyard.settings import RetentionSettings

COPY_THREADS = 4


@dataclass(frozen=True)
class BackupOptions:
    target: str | None = None
    variables: Sequence[str] = ()
    profile: str | None = None
    tables: Sequence[str] = ()
    location: str | None = None
    keep: int | None = None


def run_backup(ctx: AppContext, options: BackupOptions) -> Manifest:
    recovery = open_recovery(ctx, options.target, options.variables, options.profile)
    location = recovery.location(options.location)
    patterns = list(options.tables) or recovery.settings.tables
    retention = recovery.settings.retention
    if options.keep is not None:
        retention = RetentionSettings(keep=options.keep, days=retention.days)
    return backup_to(ctx, recovery, location, patterns, retention)


def backup_to(
    ctx: AppContext,
    recovery: RecoveryTarget,
    location: Location,
    patterns: list[str],
    retention: RetentionSettings,
) -> Manifest:
    """Back up the tables matching `patterns` into `location`, then apply `retention`: what
    `brickyard backup` and the deployed backup job both run."""
    selection = select_tables(recovery.client, patterns)
    for skipped in selection.skipped:
        ctx.output.info(f"skipped {skipped}")
    tables = require(selection, patterns)
    previous = list_manifests(location)
    manifest = take_backup(ctx, recovery, location, tables, previous)
    removed = prune(location, [*previous, manifest], retention)
    ctx.output.result(
        {**_summary(manifest), "location": location.url, "removed_backups": removed},
        _text(manifest, location, removed),
    )
    return manifest


def take_backup(
    ctx: AppContext,
    recovery: RecoveryTarget,
    location: Location,
    tables: list[TableRef],
    previous: list[Manifest],
) -> Manifest:
    now = dt.datetime.now(dt.UTC)
    backups = []
    for table in tables:
        snapshot = read_snapshot(table.storage_location)
        known = _known_files(previous, table.full_name)
        files, copied, copied_bytes = _copy_files(ctx, location, table, snapshot.files, known)
        backups.append(
            TableBackup(
                full_name=table.full_name,
                table_type=table.table_type,
                snapshot=replace(snapshot, files=files),
                comment=table.comment,
                properties=table.properties,
                grants=recovery.grants("TABLE", table.full_name),
                copied_files=copied,
                copied_bytes=copied_bytes,
            )
        )
    manifest = Manifest(
        id=new_backup_id(now),
        created=now.isoformat(),
        bundle=recovery.bundle.name,
        target=recovery.bundle.target,
        tables=backups,
    )
    write_manifest(location, manifest)
    return manifest


def _known_files(previous: list[Manifest], full_name: str) -> dict[str, DataFile]:
    known: dict[str, DataFile] = {}
    for manifest in previous:
        table = manifest.table(full_name)
        if table is not None:
            known.update({f.path: f for f in table.snapshot.files if f.sha256})
    return known


def _copy_files(
    ctx: AppContext,
    location: Location,
    table: TableRef,
    files: list[DataFile],
    known: dict[str, DataFile],
) -> tuple[list[DataFile], int, int]:
    root = local_path(table.storage_location)
    if root is None:
        raise RecoveryError(
            f"{table.full_name} is stored at {table.storage_location}; "
            "backups read table data from local or mounted storage only"
        )

    def copy(file: DataFile) -> tuple[DataFile, bool]:
        before = known.get(file.path)
        key = data_key(table.full_name, file.path)
        if before is not None and before.size == file.size and location.size(key) == file.size:
            return replace(file, sha256=before.sha256), False
        source = root / file.path
        if not source.is_file():
            raise RecoveryError(
                f"{table.full_name}: data file {file.path} of version is gone (vacuumed while backing up?)"
            )
        return replace(file, sha256=location.put_file(key, source)), True

    done: list[DataFile] = []
    copied = copied_bytes = 0
    with (
        ctx.output.progress(f"backing up {table.full_name}", total=len(files)) as bar,
        ThreadPoolExecutor(max_workers=COPY_THREADS) as pool,
    ):
        for file, was_copied in pool.map(copy, files):
            done.append(file)
            if was_copied:
                copied += 1
                copied_bytes += file.size
            bar.advance()
    return done, copied, copied_bytes


def prune(location: Location, manifests: list[Manifest], retention: RetentionSettings) -> list[str]:
    """Remove backups past the retention limits (never the newest), then files no backup needs."""
    if retention.keep is None and retention.days is None:
        return []
    ordered = sorted(manifests, key=lambda m: (m.created, m.id))
    keep = set(m.id for m in ordered)
    if retention.keep is not None:
        keep &= {m.id for m in ordered[-retention.keep :]}
    if retention.days is not None:
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=retention.days)
        keep &= {m.id for m in ordered if m.created_at >= cutoff}
    keep.add(ordered[-1].id)
    removed = [m for m in ordered if m.id not in keep]
    if not removed:
        return []
    needed = {
        data_key(t.full_name, f.path)
        for m in ordered
        if m.id in keep
        for t in m.tables
        for f in t.snapshot.files
    }
    for manifest in removed:
        location.delete(manifest_key(manifest.id))
    for manifest in removed:
        for table in manifest.tables:
            for file in table.snapshot.files:
                key = data_key(table.full_name, file.path)
                if key not in needed:
                    location.delete(key)
                    needed.add(key)  # deleted once
    return [m.id for m in removed]


def _summary(manifest: Manifest) -> dict[str, Any]:
    return {
        "backup_id": manifest.id,
        "created": manifest.created,
        "target": manifest.target,
        "tables": [
            {
                "table": t.full_name,
                "version": t.snapshot.version,
                "rows": t.snapshot.row_count,
                "files": len(t.snapshot.files),
                "bytes": t.bytes,
                "copied_files": t.copied_files,
                "copied_bytes": t.copied_bytes,
            }
            for t in manifest.tables
        ],
    }


def _text(manifest: Manifest, location: Location, removed: list[str]) -> str:
    lines = [f"Backup {manifest.id} in {location.url}"]
    for t in manifest.tables:
        lines.append(
            f"  {t.full_name} @ v{t.snapshot.version}: {t.snapshot.row_count} rows, "
            f"{len(t.snapshot.files)} files ({_size(t.bytes)}), copied {t.copied_files} ({_size(t.copied_bytes)})"
        )
    if removed:
        lines.append(f"Removed by retention: {', '.join(removed)}")
    return "\n".join(lines)


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"
