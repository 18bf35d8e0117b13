"""The local dbutils on its own: widgets, secrets, fs and task values behave and fail like Databricks'."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from brickyard.local.dbutils import (
    FileSystem,
    InputWidgetNotDefined,
    SecretNotFound,
    Secrets,
    TaskValues,
    Widgets,
)
from brickyard.local.tasks.redact import Redactor


def test_bound_parameters_win_over_declared_defaults() -> None:
    widgets = Widgets({"env": "prod"})
    widgets.text("env", "dev")
    widgets.dropdown("size", "s", ["s", "m"])

    assert widgets.get("env") == "prod"
    assert widgets.get("size") == "s"
    assert widgets.getAll() == {"env": "prod", "size": "s"}


def test_a_missing_widget_raises_an_error_naming_it() -> None:
    widgets = Widgets()

    with pytest.raises(InputWidgetNotDefined, match="No input widget named region is defined"):
        widgets.get("region")
    assert widgets.getArgument("region", "eu") == "eu"


def test_choice_widgets_refuse_a_default_outside_their_choices() -> None:
    widgets = Widgets()

    with pytest.raises(ValueError, match="not in the list of choices"):
        widgets.dropdown("size", "xl", ["s", "m"])
    widgets.multiselect("days", "mon,tue", ["mon", "tue", "wed"])
    assert widgets.get("days") == "mon,tue"


def test_run_arguments_bind_only_while_the_included_notebook_runs() -> None:
    widgets = Widgets({"a": "outer"})

    with widgets.bound({"a": "inner", "b": "2"}):
        assert (widgets.get("a"), widgets.get("b")) == ("inner", "2")
    assert widgets.get("a") == "outer"
    with pytest.raises(InputWidgetNotDefined):
        widgets.get("b")


def test_remove_all_forgets_declared_widgets_but_not_parameters() -> None:
    widgets = Widgets({"p": "1"})
    widgets.text("w", "x")

    widgets.removeAll()

    assert widgets.getAll() == {"p": "1"}


def _secrets_db(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE secrets(scope TEXT, key TEXT, value BLOB, last_updated_timestamp INTEGER, "
            "PRIMARY KEY (scope, key))"
        )
        conn.executemany(
            "INSERT INTO secrets VALUES (?, ?, ?, 0)",
            [("app", "token", b"s3cr3t-value"), ("app", "raw", b"\xff\x00bin"), ("other", "k", b"v")],
        )
    return path


def test_secrets_are_read_and_registered_for_redaction(tmp_path: Path) -> None:
    redactor = Redactor()
    secrets = Secrets(_secrets_db(tmp_path / "meta.db"), redactor)

    assert secrets.get("app", "token") == "s3cr3t-value"
    assert secrets.getBytes("app", "raw") == b"\xff\x00bin"
    assert [m.key for m in secrets.list("app")] == ["raw", "token"]
    assert [s.name for s in secrets.listScopes()] == ["app", "other"]
    assert redactor.redact("token=s3cr3t-value!") == "token=[REDACTED]!"
    assert redactor.redact_bytes(b"x\xff\x00bin") == b"x[REDACTED]"


def test_missing_secrets_fail_with_the_databricks_messages(tmp_path: Path) -> None:
    secrets = Secrets(_secrets_db(tmp_path / "meta.db"), Redactor())

    with pytest.raises(SecretNotFound, match="Secret does not exist with scope: app and key: nope"):
        secrets.get("app", "nope")
    with pytest.raises(SecretNotFound, match="Secret scope ghost does not exist"):
        secrets.get("ghost", "k")
    with pytest.raises(SecretNotFound, match="Secret scope ghost does not exist"):
        Secrets(tmp_path / "absent.db", Redactor()).list("ghost")


def test_fs_maps_dbfs_volumes_and_local_paths(tmp_path: Path) -> None:
    fs = FileSystem(tmp_path / "storage")

    assert fs.put("dbfs:/tmp/a.txt", "hello")
    assert fs.put("/Volumes/main/raw/files/b.csv", "x,y\n1,2\n")
    assert (tmp_path / "storage/dbfs/tmp/a.txt").read_text() == "hello"
    assert (tmp_path / "storage/volumes/main/raw/files/b.csv").exists()
    assert fs.head("/tmp/a.txt") == "hello"
    assert fs.head("dbfs:/Volumes/main/raw/files/b.csv", 3) == "x,y"

    listing = fs.ls("dbfs:/")
    assert [(f.name, f.path, f.isDir()) for f in listing] == [("tmp/", "dbfs:/tmp/", True)]
    [file] = fs.ls("/Volumes/main/raw/files")
    assert (file.path, file.size, file.isFile()) == ("dbfs:/Volumes/main/raw/files/b.csv", 8, True)

    local = tmp_path / "local.txt"
    local.write_text("local")
    assert fs.cp(f"file:{local}", "dbfs:/copied/")
    assert fs.mkdirs("dbfs:/copied")
    assert fs.head("dbfs:/copied/local.txt") == "local"


def test_fs_copy_move_remove_and_their_errors(tmp_path: Path) -> None:
    fs = FileSystem(tmp_path)
    fs.put("dbfs:/d/one.txt", "1")
    fs.put("dbfs:/d/sub/two.txt", "2")

    with pytest.raises(FileExistsError, match="already exists"):
        fs.put("dbfs:/d/one.txt", "again")
    with pytest.raises(IsADirectoryError, match="recurse=True"):
        fs.cp("dbfs:/d", "dbfs:/e")
    assert fs.cp("dbfs:/d", "dbfs:/e", recurse=True)
    assert fs.mv("dbfs:/e/one.txt", "dbfs:/f/uno.txt")
    assert fs.head("dbfs:/f/uno.txt") == "1"
    with pytest.raises(OSError, match="non-empty"):
        fs.rm("dbfs:/e")
    assert fs.rm("dbfs:/e", recurse=True)
    assert fs.rm("dbfs:/e") is False
    with pytest.raises(FileNotFoundError, match=r"File dbfs:/nope does not exist\."):
        fs.ls("dbfs:/nope")
    with pytest.raises(ValueError, match="escapes"):
        fs.ls("dbfs:/../outside")


def test_task_values_are_json_and_come_from_upstream_tasks() -> None:
    produced: dict[str, object] = {}
    values = TaskValues("load", {"extract": {"rows": 10}}, produced)

    values.set("status", {"ok": True, "files": ["a"]})

    assert produced == {"status": {"ok": True, "files": ["a"]}}
    assert values.get("extract", "rows") == 10
    assert values.get("load", "status") == {"ok": True, "files": ["a"]}
    assert values.get("extract", "missing", default=0) == 0
    with pytest.raises(ValueError, match="No task value found for key missing in task extract"):
        values.get("extract", "missing", debugValue=1)
    with pytest.raises(ValueError, match="not an upstream task"):
        values.get("ghost", "rows")
    with pytest.raises(TypeError, match="not JSON serialisable"):
        values.set("bad", object())
    with pytest.raises(ValueError, match="48 KiB"):
        values.set("big", "x" * 50_000)
