"""Backups below the workspace: Delta snapshots, the restored log, locations, manifests, retention."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from brickyard.dr.backup import prune
from brickyard.dr.location import FolderLocation, file_sha256, open_location
from brickyard.dr.manifest import Manifest, TableBackup, choose, data_key, list_manifests, write_manifest
from brickyard.dr.snapshot import count_rows, read_snapshot, write_log
from brickyard.errors import RecoveryError, UsageError
from brickyard.settings import RetentionSettings


def _table(path: Path, rows: int, partitioned: bool = True) -> None:
    import datetime

    import pyarrow as pa
    from deltalake import write_deltalake

    data = pa.table(
        {
            "id": list(range(rows)),
            "day": [datetime.date(2026, 1, 1 + i % 3) if i % 7 else None for i in range(rows)],
            "name": [f"n{i}" for i in range(rows)],
        }
    )
    write_deltalake(str(path), data, partition_by=["day"] if partitioned else None)


def test_a_snapshot_fixes_the_version_and_a_written_log_reads_back_the_same_rows(tmp_path: Path) -> None:
    from deltalake import DeltaTable, write_deltalake

    source = tmp_path / "source"
    _table(source, 100)
    import pyarrow as pa

    write_deltalake(str(source), pa.table({"id": [1000], "day": [None], "name": ["late"]}), mode="append")
    old = read_snapshot(f"file://{source}/", version=0)
    new = read_snapshot(str(source))
    assert (old.version, old.row_count, new.version, new.row_count) == (0, 100, 1, 101)
    assert old.partition_columns == ["day"]
    assert {f.partition_values["day"] for f in old.files} == {None, "2026-01-01", "2026-01-02", "2026-01-03"}

    copy = tmp_path / "copy"
    for file in old.files:
        (copy / file.path).parent.mkdir(parents=True, exist_ok=True)
        (copy / file.path).write_bytes((source / file.path).read_bytes())
    write_log(copy, old)
    assert count_rows(str(copy)) == 100
    want = DeltaTable(str(source), version=0).to_pyarrow_table().sort_by("id")
    got = DeltaTable(str(copy)).to_pyarrow_table().select(want.column_names).sort_by("id")
    assert got.equals(want)


def test_a_table_that_is_not_delta_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RecoveryError, match="no Delta table"):
        read_snapshot(str(tmp_path))


def test_folder_locations_store_list_and_checksum(tmp_path: Path) -> None:
    location = open_location("backups", tmp_path)
    assert location.url == str(tmp_path / "backups")
    source = tmp_path / "f.bin"
    source.write_bytes(os.urandom(3 * 1024 * 1024))
    digest = location.put_file("tables/a/data/f.bin", source)
    assert digest == file_sha256(source)
    assert location.size("tables/a/data/f.bin") == source.stat().st_size
    assert location.size("tables/a/data/none") is None
    assert location.list("tables") == ["tables/a/data/f.bin"]
    assert location.get_file("tables/a/data/f.bin", tmp_path / "back.bin") == digest
    location.delete("tables/a/data/f.bin")
    assert location.list("tables") == []


def test_unknown_location_schemes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RecoveryError, match="unsupported backup location"):
        open_location("ftp://host/x", tmp_path)
    with pytest.raises(RecoveryError, match="needs a target"):
        open_location("/Volumes/main/s/v/backups", tmp_path)


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    """A local S3-compatible server; obstore reaches it through the usual AWS_* variables."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_s3_locations_work_against_an_s3_compatible_server(
    s3_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": s3_server,
        "AWS_ALLOW_HTTP": "true",
    }.items():
        monkeypatch.setenv(name, value)
    boto3.client("s3", endpoint_url=s3_server).create_bucket(Bucket="dr-backups")
    location = open_location("s3://dr-backups/prod", tmp_path)
    source = tmp_path / "part.parquet"
    source.write_bytes(b"x" * 10_000)
    assert location.put_file("tables/t/data/part.parquet", source) == file_sha256(source)
    assert location.size("tables/t/data/part.parquet") == 10_000
    location.put_bytes("backups/1/manifest.json", b"{}")
    assert location.list("backups") == ["backups/1/manifest.json"]
    objects = boto3.client("s3", endpoint_url=s3_server).list_objects_v2(Bucket="dr-backups")["Contents"]
    assert {o["Key"] for o in objects} == {"prod/tables/t/data/part.parquet", "prod/backups/1/manifest.json"}


def _manifest(table_dir: Path, backup_id: str, created: dt.datetime, files: list[str]) -> Manifest:
    from brickyard.dr.snapshot import DataFile, TableSnapshot

    snapshot = TableSnapshot(
        storage_location=str(table_dir),
        version=len(files),
        timestamp_ms=0,
        schema_string="{}",
        partition_columns=[],
        configuration={},
        protocol={},
        files=[DataFile(path=f, size=1, records=1, sha256="x") for f in files],
        row_count=len(files),
    )
    return Manifest(backup_id, created.isoformat(), "b", "t", [TableBackup("main.s.t", "MANAGED", snapshot)])


def test_backups_are_chosen_by_id_or_by_time(tmp_path: Path) -> None:
    day = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    manifests = [
        _manifest(tmp_path, "a", day, ["1"]),
        _manifest(tmp_path, "b", day + dt.timedelta(hours=12), ["1", "2"]),
        _manifest(tmp_path, "c", day + dt.timedelta(days=1, hours=1), ["1", "2", "3"]),
    ]
    assert choose(manifests, None, None, "here").id == "c"
    assert choose(manifests, "a", None, "here").id == "a"
    assert choose(manifests, None, "2026-12-01T13:00", "here").id == "b"
    assert choose(manifests, None, "2026-12-01", "here").id == "b"  # a bare date: the end of that day
    with pytest.raises(RecoveryError, match="at or before"):
        choose(manifests, None, "2026-11-30", "here")
    with pytest.raises(RecoveryError, match="no backup zz"):
        choose(manifests, "zz", None, "here")
    with pytest.raises(UsageError, match="not a date"):
        choose(manifests, None, "yesterday", "here")


def test_retention_removes_old_backups_and_only_the_files_no_kept_backup_needs(tmp_path: Path) -> None:
    location = FolderLocation.create(tmp_path / "loc")
    now = dt.datetime.now(dt.UTC)
    manifests = [
        _manifest(tmp_path, "old", now - dt.timedelta(days=3), ["gone", "shared"]),
        _manifest(tmp_path, "mid", now - dt.timedelta(days=2), ["shared", "mid"]),
        _manifest(tmp_path, "new", now, ["shared", "mid", "new"]),
    ]
    for manifest in manifests:
        write_manifest(location, manifest)
        for f in manifest.tables[0].snapshot.files:
            location.put_bytes(data_key("main.s.t", f.path), b"1")
    assert prune(location, manifests, RetentionSettings(keep=2)) == ["old"]
    assert [m.id for m in list_manifests(location)] == ["mid", "new"]
    assert sorted(location.list("tables")) == [data_key("main.s.t", f) for f in ("mid", "new", "shared")]
    assert prune(location, manifests[1:], RetentionSettings(days=1)) == ["mid"]
    assert json.loads(location.get_bytes("backups/new/manifest.json"))["id"] == "new"
