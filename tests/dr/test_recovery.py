"""Backup, reset, restore and drill against a real local workspace, driven as a user would.

Tables are written by jobs on the local engine; queries after a restore run on the engine too, so
"the same data" means the same query results, not just the same files.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brickyard.context import AppContext
from brickyard.dr.backup import BackupOptions, run_backup
from brickyard.dr.restore import RestoreOptions, run_restore
from brickyard.errors import RecoveryError
from brickyard.local.lifecycle import ensure_running, reset, stop
from brickyard.output import CaptureOutput

pytestmark = [pytest.mark.engine, pytest.mark.server]

USER = "tester@brickyard.local"
SQL_SCRIPT = """
import json, sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
out, statements = sys.argv[1], sys.argv[2:]
results = [[list(r) for r in spark.sql(s).collect()] for s in statements]
open(out, "w").write(json.dumps(results, default=str))
"""


class Workspace:
    def __init__(self, root: Path, backups: Path) -> None:
        self.root = root
        self.backups = backups

    def context(self) -> AppContext:
        environ = {
            **os.environ,
            "BRICKYARD_LOCAL_WORKSPACE_DIR": str(self.root),
            "BRICKYARD_LOCAL_USER": USER,
        }
        return AppContext(output=CaptureOutput(), cwd=self.root, environ=environ)

    def client(self) -> Any:
        from databricks.sdk import WorkspaceClient

        ws = ensure_running(self.root, write_profile=False, prestart=True)
        return WorkspaceClient(host=ws.host, token=ws.token, auth_type="pat")

    def sql(self, *statements: str) -> list[list[list[Any]]]:
        from databricks.sdk.service import jobs
        from databricks.sdk.service.workspace import ImportFormat

        w = self.client()
        w.workspace.mkdirs(f"/Users/{USER}")
        script = f"/Users/{USER}/dr_sql.py"
        w.workspace.upload(script, io.BytesIO(SQL_SCRIPT.encode()), format=ImportFormat.AUTO, overwrite=True)
        out = self.root / f"result-{time.monotonic_ns()}.json"
        task = jobs.SparkPythonTask(python_file=f"/Workspace{script}", parameters=[str(out), *statements])
        run_id = w.jobs.submit(
            run_name="sql", tasks=[jobs.SubmitTask(task_key="sql", spark_python_task=task)]
        ).run_id
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            run = w.jobs.get_run(run_id)
            if run.state.life_cycle_state.value in ("TERMINATED", "SKIPPED", "INTERNAL_ERROR"):
                break
            time.sleep(0.1)
        assert run.state.result_state and run.state.result_state.value == "SUCCESS", run.state
        return json.loads(out.read_text())


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(tmp_path_factory.mktemp("dr-home")))
        patch.setenv("BRICKYARD_LOCAL_USER", USER)
        root = tmp_path_factory.mktemp("dr-project")
        backups = tmp_path_factory.mktemp("dr-backups")
        (root / "databricks.yml").write_text(
            "bundle:\n  name: dr-tests\ntargets:\n  local:\n    default: true\n"
        )
        (root / "brickyard.yml").write_text(
            f"dr:\n  tables: ['main.sales.*']\n  location: {backups}\n  retention:\n    keep: 5\n"
        )
        yield Workspace(root, backups)
        stop(root)


QUERIES = (
    "SELECT count(*), sum(id), sum(amount) FROM main.sales.orders",
    "SELECT region, count(*) FROM main.sales.orders GROUP BY region ORDER BY region",
    "SELECT count(*), min(code), max(code) FROM main.sales.customers",
)


def test_backup_reset_restore_gives_identical_query_results(workspace: Workspace) -> None:
    workspace.client().schemas.create(name="sales", catalog_name="main")
    workspace.sql(
        "CREATE TABLE main.sales.orders AS SELECT id, id % 97 AS amount, "
        "CASE id % 4 WHEN 0 THEN 'north' WHEN 1 THEN 'south' WHEN 2 THEN 'east' ELSE 'west' END AS region "
        "FROM range(1000000)",
        "CREATE TABLE main.sales.customers AS SELECT id, concat('c', id) AS code FROM range(5000)",
        "CREATE VIEW main.sales.big_orders AS SELECT * FROM main.sales.orders WHERE amount > 90",
    )
    from databricks.sdk.service.catalog import PermissionsChange, Privilege

    workspace.client().grants.update(
        securable_type="TABLE",
        full_name="main.sales.orders",
        changes=[PermissionsChange(principal="analysts", add=[Privilege.SELECT])],
    )
    before = workspace.sql(*QUERIES)

    first = run_backup(workspace.context(), BackupOptions())
    assert [t.full_name for t in first.tables] == ["main.sales.customers", "main.sales.orders"]
    orders = first.table("main.sales.orders")
    assert orders is not None and orders.snapshot.row_count == 1_000_000
    assert orders.copied_files == len(orders.snapshot.files) > 0
    assert orders.grants == [{"principal": "analysts", "privileges": ["SELECT"]}]

    workspace.sql("INSERT INTO main.sales.orders SELECT id, 1, 'north' FROM range(1000000, 1000010)")
    second = run_backup(workspace.context(), BackupOptions())
    again = second.table("main.sales.orders")
    assert again is not None and again.snapshot.version == orders.snapshot.version + 1
    assert again.copied_files == len(again.snapshot.files) - len(orders.snapshot.files) >= 1
    assert second.table("main.sales.customers").copied_files == 0  # type: ignore[union-attr]

    stop(workspace.root)
    reset(workspace.root)
    assert not workspace.client().tables.exists("main.sales.orders").table_exists

    restored = run_restore(workspace.context(), RestoreOptions(backup_id=first.id))
    assert {r.table: r.rows for r in restored} == {
        "main.sales.customers": 5000,
        "main.sales.orders": 1_000_000,
    }
    assert workspace.sql(*QUERIES) == before
    grants = workspace.client().grants.get(securable_type="TABLE", full_name="main.sales.orders")
    assert [(a.principal, [p.value for p in a.privileges]) for a in grants.privilege_assignments] == [
        ("analysts", ["SELECT"])
    ]

    with pytest.raises(RecoveryError, match="already exist"):
        run_restore(workspace.context(), RestoreOptions())
    latest = run_restore(workspace.context(), RestoreOptions(replace=True, tables=["main.sales.orders"]))
    assert [(r.table, r.rows) for r in latest] == [("main.sales.orders", 1_000_010)]
    beside = run_restore(workspace.context(), RestoreOptions(at=first.created, suffix="_v1"))
    assert {r.table for r in beside} == {"main.sales.customers_v1", "main.sales.orders_v1"}
    assert workspace.sql("SELECT count(*) FROM main.sales.orders_v1") == [[[1_000_000]]]


def test_a_damaged_backup_is_refused_and_nothing_is_registered(workspace: Workspace, tmp_path: Path) -> None:
    backups = tmp_path / "damaged"
    workspace.client().schemas.create(name="fragile", catalog_name="main")
    workspace.sql("CREATE TABLE main.fragile.t AS SELECT id FROM range(100)")
    manifest = run_backup(
        workspace.context(), BackupOptions(tables=["main.fragile.t"], location=str(backups))
    )
    file = manifest.tables[0].snapshot.files[0].path
    damaged = next(backups.glob(f"tables/main.fragile.t/data/{file}"))
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"\0")
    with pytest.raises(RecoveryError, match="does not match its checksum"):
        run_restore(
            workspace.context(),
            RestoreOptions(source=str(backups), tables=["main.fragile.t"], suffix="_copy"),
        )
    assert not workspace.client().tables.exists("main.fragile.t_copy").table_exists


def test_catalog_export_is_stable_and_import_brings_back_schemas_volumes_and_grants(
    workspace: Workspace, tmp_path: Path
) -> None:
    from databricks.sdk.service.catalog import PermissionsChange, Privilege, VolumeType

    w = workspace.client()
    w.catalogs.create(name="finance", comment="money")
    w.schemas.create(name="ledger", catalog_name="finance", comment="books")
    w.volumes.create(catalog_name="finance", schema_name="ledger", name="raw", volume_type=VolumeType.MANAGED)
    w.grants.update(
        securable_type="SCHEMA",
        full_name="finance.ledger",
        changes=[PermissionsChange(principal="auditors", add=[Privilege.USE_SCHEMA, Privilege.SELECT])],
    )
    from brickyard.dr.catalog_export import export_catalogs, import_catalogs, read_export, write_export
    from brickyard.dr.workspace import open_recovery

    recovery = open_recovery(workspace.context(), None, [], None)
    first = write_export(export_catalogs(recovery, ["finance"]), tmp_path / "catalog")
    texts = {p.name: p.read_text() for p in first}
    assert set(texts) == {"catalog.yml", "default.yml", "ledger.yml"}  # a new catalog has `default`
    assert "comment: money" in texts["catalog.yml"]
    ledger = texts["ledger.yml"]
    assert "auditors" in ledger and "USE_SCHEMA" in ledger and "name: raw" in ledger
    again = write_export(export_catalogs(recovery, ["finance"]), tmp_path / "catalog")
    assert {p.name: p.read_text() for p in again} == texts  # byte-identical: diffs show only changes

    w.catalogs.delete("finance", force=True)
    report = import_catalogs(recovery, read_export(tmp_path / "catalog"))
    assert report.created == ["catalog finance", "schema finance.ledger", "volume finance.ledger.raw"]
    assert "schema finance.ledger" in report.granted
    grants = w.grants.get(securable_type="SCHEMA", full_name="finance.ledger").privilege_assignments
    assert {(g.principal, p.value) for g in grants for p in g.privileges} == {
        ("auditors", "USE_SCHEMA"),
        ("auditors", "SELECT"),
    }
    assert w.catalogs.get("finance").comment == "money"


def test_drill_backs_up_drops_restores_and_verifies(workspace: Workspace, tmp_path: Path) -> None:
    from brickyard.dr.drill import DrillOptions, dr_drill

    workspace.client().schemas.create(name="drill", catalog_name="main")
    workspace.sql("CREATE TABLE main.drill.events AS SELECT id, id * 2 AS v FROM range(2000)")
    ctx = workspace.context()
    drill = dr_drill(ctx, DrillOptions(tables=["main.drill.*"], location=str(tmp_path / "drill")))
    assert [(s.name, s.result) for s in drill.steps] == [
        ("backup", "ok"),
        ("destroy", "ok"),
        ("restore", "ok"),
        ("verify", "ok"),
    ]
    assert workspace.sql("SELECT count(*), sum(v) FROM main.drill.events") == [[[2000, 3998000]]]


def test_the_cli_backs_up_lists_and_writes_a_runbook(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from brickyard.cli.main import run

    monkeypatch.chdir(workspace.root)
    monkeypatch.setenv("BRICKYARD_LOCAL_WORKSPACE_DIR", str(workspace.root))
    target = tmp_path / "cli-backups"
    assert run(["backup", "--tables", "main.sales.customers", "--to", str(target), "-o", "json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert [t["table"] for t in done["tables"]] == ["main.sales.customers"]
    assert run(["dr", "list", "--location", str(target), "-o", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [b["backup_id"] for b in listed] == [done["backup_id"]]
    assert run(["backup", "--tables", "nothing.here"]) == 1
    assert "no Delta table matches nothing.here" in capsys.readouterr().err
    assert run(["dr", "runbook"]) == 0
    book = capsys.readouterr().out
    assert "# Disaster recovery runbook: dr-tests (local)" in book
    assert "`main.sales.*`" in book and "the newest 5 backups" in book
    assert "brickyard restore -t local" in book


def test_backups_can_live_in_a_volume_of_the_workspace(workspace: Workspace) -> None:
    from databricks.sdk.service.catalog import VolumeType

    w = workspace.client()
    w.schemas.create(name="vault", catalog_name="main")
    w.volumes.create(catalog_name="main", schema_name="vault", name="backups", volume_type=VolumeType.MANAGED)
    w.schemas.create(name="small", catalog_name="main")
    workspace.sql("CREATE TABLE main.small.t AS SELECT id FROM range(300)")
    where = "/Volumes/main/vault/backups/dr"
    first = run_backup(workspace.context(), BackupOptions(tables=["main.small.*"], location=where))
    files = [e.path for e in w.files.list_directory_contents(f"{where}/backups/{first.id}")]
    assert files == [f"{where}/backups/{first.id}/manifest.json"]
    second = run_backup(workspace.context(), BackupOptions(tables=["main.small.*"], location=where))
    assert second.tables[0].copied_files == 0
    restored = run_restore(workspace.context(), RestoreOptions(source=where, suffix="_back"))
    assert [(r.table, r.rows) for r in restored] == [("main.small.t_back", 300)]
