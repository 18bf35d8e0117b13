"""The files a deploy syncs from several `sync.paths`, named from their common parent."""

from __future__ import annotations

from pathlib import Path

from brickyard.plan.sync_files import sync_inventory


def _tree(base: Path, files: list[str]) -> None:
    for name in files:
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)


def test_default_paths_name_files_from_the_bundle_root(tmp_path: Path) -> None:
    _tree(tmp_path, ["databricks.yml", "src/a.py"])
    assert [f.relative for f in sync_inventory(tmp_path, ["."])] == ["databricks.yml", "src/a.py"]


def test_a_path_outside_the_root_moves_the_sync_root_up(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        [
            "proj/databricks.yml",
            "proj/src/a.py",
            "proj/src/a.csv",
            "shared/lib.py",
            "shared/tmp/x.py",
            "shared/data.csv",
            "other/no.py",
        ],
    )
    files = sync_inventory(
        tmp_path / "proj", [".", "../shared"], exclude=["../shared/tmp/**", "*.csv", "src/nothing/**"]
    )
    assert [f.relative for f in files] == ["proj/databricks.yml", "proj/src/a.py", "shared/lib.py"]
    assert files[-1].path == tmp_path / "shared" / "lib.py"


def test_include_brings_back_ignored_files_in_a_shared_path(tmp_path: Path) -> None:
    _tree(tmp_path, ["proj/databricks.yml", "shared/.gitignore", "shared/dist/w.whl", "shared/lib.py"])
    (tmp_path / "shared" / ".gitignore").write_text("dist/\n")
    files = sync_inventory(tmp_path / "proj", [".", "../shared"], include=["../shared/dist/*.whl"])
    assert "shared/dist/w.whl" in [f.relative for f in files]
    assert "shared/dist/w.whl" not in [
        f.relative for f in sync_inventory(tmp_path / "proj", [".", "../shared"])
    ]
