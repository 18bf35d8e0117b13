"""Backup and restore throughput against a plain copy of the same files.

    .venv/bin/python benchmarks/dr.py [--rows 8000000] [--files 16]

Writes a Delta table with delta-rs (no engine needed), then times, on the same files: a plain
`shutil.copy2` of every data file (the floor), a full backup into a folder (copy + sha256 of each
file), an incremental backup with nothing new, and a restore (copy + checksum check + a new log +
the row count read back). Prints MB/s and each one's ratio to the plain copy.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from brickyard.context import AppContext
from brickyard.dr.backup import _copy_files
from brickyard.dr.location import FolderLocation
from brickyard.dr.manifest import data_key
from brickyard.dr.snapshot import count_rows, read_snapshot, write_log
from brickyard.dr.tables import TableRef
from brickyard.output import CaptureOutput


def make_table(path: Path, rows: int, files: int) -> None:
    import numpy as np
    import pyarrow as pa
    from deltalake import write_deltalake

    rng = np.random.default_rng(7)
    per = rows // files
    for i in range(files):
        batch = pa.table(
            {
                "id": np.arange(i * per, (i + 1) * per, dtype=np.int64),
                "amount": rng.random(per),
                "qty": rng.integers(0, 1000, per),
                "note": pa.array(rng.integers(0, 10**9, per).astype(str)),
            }
        )
        write_deltalake(str(path), batch, mode="append")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=8_000_000)
    parser.add_argument("--files", type=int, default=16)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="brickyard-dr-bench-"))
    try:
        table = work / "table"
        make_table(table, args.rows, args.files)
        snapshot = read_snapshot(str(table))
        size = sum(f.size for f in snapshot.files)
        mb = size / 1e6
        print(f"table: {args.rows:,} rows, {len(snapshot.files)} files, {mb:.1f} MB")

        started = time.perf_counter()
        plain = work / "plain"
        plain.mkdir()
        for f in snapshot.files:
            shutil.copy2(table / f.path, plain / f.path)
        copy_s = time.perf_counter() - started

        ctx = AppContext(output=CaptureOutput())
        location = FolderLocation.create(work / "backup")
        ref = TableRef("main.bench.t", "MANAGED", str(table))
        started = time.perf_counter()
        files, copied, _ = _copy_files(ctx, location, ref, snapshot.files, {})
        backup_s = time.perf_counter() - started
        known = {f.path: f for f in files}
        started = time.perf_counter()
        _, again, _ = _copy_files(ctx, location, ref, snapshot.files, known)
        incremental_s = time.perf_counter() - started
        assert copied == len(files) and again == 0

        started = time.perf_counter()
        dest = work / "restored"
        for f in files:
            (dest / f.path).parent.mkdir(parents=True, exist_ok=True)
            assert location.get_file(data_key("main.bench.t", f.path), dest / f.path) == f.sha256
        write_log(dest, snapshot)
        assert count_rows(str(dest)) == args.rows
        restore_s = time.perf_counter() - started

        print(f"{'plain copy':<22} {copy_s:7.2f} s  {mb / copy_s:8.1f} MB/s  1.00x")
        for name, seconds in (("backup (full)", backup_s), ("restore + verify", restore_s)):
            print(f"{name:<22} {seconds:7.2f} s  {mb / seconds:8.1f} MB/s  {seconds / copy_s:.2f}x")
        print(f"{'backup (nothing new)':<22} {incremental_s:7.2f} s  ({len(files)} files checked, 0 copied)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
