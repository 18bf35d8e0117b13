"""Reading pipeline source files, notebooks and glob libraries (no engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from brickyard.errors import PipelineError
from brickyard.pipelines.sources import load_libraries, read_source
from brickyard.pipelines.spec import Library


def test_a_python_notebook_keeps_line_numbers_and_skips_magic_cells(tmp_path: Path) -> None:
    notebook = tmp_path / "nb.py"
    notebook.write_text(
        "# Databricks notebook source\n# MAGIC %md\n# MAGIC hello\n\n# COMMAND ----------\n\nx = 1\n"
    )

    unit = read_source(notebook)

    assert unit is not None and unit.language == "python"
    assert unit.text.splitlines()[6] == "x = 1"
    assert "# MAGIC" not in unit.text
    assert unit.skipped == [f"{notebook}:2: %md cell skipped (magic commands do not run in pipelines)"]


def test_sql_notebook_cells_end_their_statements(tmp_path: Path) -> None:
    notebook = tmp_path / "nb"
    notebook.write_text(
        "-- Databricks notebook source\nCREATE VIEW a AS SELECT 1\n\n-- COMMAND ----------\n\nCREATE VIEW b AS SELECT 2\n"
    )

    unit = read_source(notebook)

    assert unit is not None and unit.language == "sql"
    assert unit.text.count(";") == 1


def test_glob_libraries_include_python_sql_and_notebooks_but_not_other_files(tmp_path: Path) -> None:
    root = tmp_path / "transformations"
    (root / "sub").mkdir(parents=True)
    (root / "a.py").write_text("x = 1\n")
    (root / "sub" / "b.sql").write_text("SET a = 1\n")
    (root / "sub" / "nb").write_text("# Databricks notebook source\ny = 2\n")
    (root / "README.md").write_text("docs\n")
    (root / ".hidden.py").write_text("z = 3\n")

    units = load_libraries((Library("glob", str(root / "**")), Library("file", str(root / "a.py"))))

    assert [Path(u.file).relative_to(root).as_posix() for u in units] == ["a.py", "sub/b.sql", "sub/nb"]


def test_a_missing_library_is_an_error_naming_it(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.py")

    with pytest.raises(PipelineError, match="does not exist") as caught:
        load_libraries((Library("file", missing),))

    assert caught.value.file == missing


def test_a_jupyter_notebook_runs_its_code_cells(tmp_path: Path) -> None:
    import json

    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "markdown", "source": ["# Title"]},
                    {"cell_type": "code", "source": ["import dlt\n", "x = 1"]},
                ],
                "metadata": {"language_info": {"name": "python"}},
            }
        )
    )

    unit = read_source(notebook)

    assert unit is not None and unit.language == "python"
    assert "import dlt\nx = 1" in unit.text and "# Title" not in unit.text


def test_a_glob_under_hidden_folders_still_matches_and_skips_hidden_files_below_its_root(
    tmp_path: Path,
) -> None:
    # deployed bundles live under `.brickyard/…/.bundle/…`: only names below the glob root count
    root = tmp_path / ".brickyard" / "ws" / ".bundle" / "files" / "src" / "transformations"
    (root / "sub").mkdir(parents=True)
    (root / "a.py").write_text("x = 1\n")
    (root / "sub" / "b.sql").write_text("SELECT 1\n")
    (root / ".ipynb_checkpoints").mkdir()
    (root / ".ipynb_checkpoints" / "a.py").write_text("x = 1\n")

    units = load_libraries((Library("glob", str(root / "**")),))
    both = load_libraries((Library("glob", str(root / "**" / "*.sql")),))

    assert [Path(u.file).relative_to(root).as_posix() for u in units] == ["a.py", "sub/b.sql"]
    assert [Path(u.file).relative_to(root).as_posix() for u in both] == ["sub/b.sql"]


def test_a_py_glob_finds_notebooks_the_workspace_stores_without_their_extension(tmp_path: Path) -> None:
    root = tmp_path / "transformations"
    root.mkdir()
    (root / "nb").write_text("# Databricks notebook source\ny = 2\n")
    (root / "q").write_text("-- Databricks notebook source\nSELECT 1\n")

    units = load_libraries((Library("glob", str(root / "*.py")),))

    assert [Path(u.file).name for u in units] == ["nb"]


def test_bare_dbfs_paths_of_file_sources_reach_local_storage_and_databricks_datasets(tmp_path: Path) -> None:
    from brickyard.pipelines.filesource import resolve_path

    storage = tmp_path / "storage"
    local = resolve_path("/databricks-datasets/retail-org/customers/", str(storage))

    assert local == storage / "dbfs" / "databricks-datasets" / "retail-org" / "customers"
    assert (local / "customers.csv").is_file()  # generated on first use
    assert resolve_path("/tmp/x", str(storage)) == Path("/tmp/x")  # a folder of this machine


def test_code_that_reads_the_metadata_column_is_found_in_helper_modules_deployed_beside(
    tmp_path: Path,
) -> None:
    from brickyard.filemeta import code_reads_metadata

    files = tmp_path / ".bundle" / "shop" / "dev" / "files"
    (files / "src" / "ingest").mkdir(parents=True)
    (files / "src" / "lib").mkdir(parents=True)
    notebook = files / "src" / "ingest" / "bronze.py"
    notebook.write_text("from lib.readers import orders\n")
    (files / "src" / "lib" / "readers.py").write_text(
        "def orders(df):\n    return df.select('*', '_metadata')\n"
    )
    other = tmp_path / "elsewhere" / "plain.py"
    other.parent.mkdir()
    other.write_text("print('no file columns here')\n")

    assert code_reads_metadata([notebook])
    assert not code_reads_metadata([other])
    (files / "src" / "lib" / "readers.py").write_text("def orders(df):\n    return df\n")
    assert not code_reads_metadata([notebook])
