"""The notebook source parser and the Jupyter conversions the server uses for import and export."""

from __future__ import annotations

import json

import pytest

from brickyard.errors import NotebookFormatError
from brickyard.notebook_format import (
    Cell,
    detect_language,
    ipynb_to_source,
    language_from_header,
    parse_source,
    render_source,
    source_to_ipynb,
    with_header,
)

PYTHON_SOURCE = """# Databricks notebook source
# DBTITLE 1,Setup
x = 1

# COMMAND ----------

# MAGIC %md
# MAGIC # Title
# MAGIC
# MAGIC text

# COMMAND ----------

# MAGIC %run ./other $a="1"

# COMMAND ----------

print(x)
"""

SQL_SOURCE = """-- Databricks notebook source
SELECT 1;

-- COMMAND ----------

-- MAGIC %python
-- MAGIC print("py")
"""


def test_python_source_splits_into_cells_with_magics_and_titles() -> None:
    notebook = parse_source(PYTHON_SOURCE)

    assert notebook.language == "PYTHON"
    assert [cell.magic for cell in notebook.cells] == [None, "md", "run", None]
    assert notebook.cells[0] == Cell("x = 1", title="Setup")
    assert notebook.cells[1].body == "# Title\n\ntext"
    assert notebook.cells[2].body == './other $a="1"'


def test_rendering_a_parsed_notebook_gives_back_the_same_text() -> None:
    assert render_source(parse_source(PYTHON_SOURCE)) == PYTHON_SOURCE
    assert render_source(parse_source(SQL_SOURCE)) == SQL_SOURCE


def test_sql_notebooks_use_sql_comments_for_separators_and_magic() -> None:
    notebook = parse_source(SQL_SOURCE)

    assert notebook.language == "SQL"
    assert notebook.cells[0].text == "SELECT 1;"
    assert notebook.cells[1].magic == "python"
    assert notebook.cells[1].body == 'print("py")'


def test_text_without_header_is_one_notebook_of_the_given_language() -> None:
    notebook = parse_source("print(1)\n", "python")

    assert notebook.language == "PYTHON"
    assert notebook.cells == [Cell("print(1)")]


def test_language_comes_from_header_then_jupyter_metadata_then_extension() -> None:
    assert language_from_header("# Databricks notebook source\n") == "PYTHON"
    assert language_from_header("# Databricks notebook source\n", "x.r") == "R"
    assert detect_language("-- Databricks notebook source\nSELECT 1") == "SQL"
    assert detect_language("// Databricks notebook source\n") == "SCALA"
    assert detect_language(source_to_ipynb(SQL_SOURCE, "sql")) == "SQL"
    assert detect_language("select 1", "query.sql") == "SQL"
    assert detect_language("just text", "notes.txt") is None


def test_with_header_adds_the_header_once() -> None:
    assert with_header("SELECT 1\n", "SQL") == "-- Databricks notebook source\nSELECT 1\n"
    assert with_header(PYTHON_SOURCE, "PYTHON") == PYTHON_SOURCE


def test_jupyter_round_trip_keeps_cells_magics_and_titles() -> None:
    data = source_to_ipynb(PYTHON_SOURCE, "PYTHON", name="etl")
    doc = json.loads(data)

    assert doc["metadata"]["application/vnd.databricks.v1+notebook"]["language"] == "python"
    assert doc["metadata"]["application/vnd.databricks.v1+notebook"]["notebookName"] == "etl"
    kinds = [cell["cell_type"] for cell in doc["cells"]]
    assert kinds == ["code", "markdown", "code", "code"]
    assert "".join(doc["cells"][1]["source"]) == "# Title\n\ntext"
    assert doc["cells"][0]["metadata"]["application/vnd.databricks.v1+cell"]["title"] == "Setup"
    assert ipynb_to_source(data) == (PYTHON_SOURCE, "PYTHON")


def test_plain_jupyter_notebook_becomes_python_source() -> None:
    doc = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Hi"]},
            {"cell_type": "code", "metadata": {}, "source": ["%%sql\n", "SELECT 1"], "outputs": []},
            {"cell_type": "code", "metadata": {}, "source": ["a = 1\n", "a"], "outputs": []},
            {"cell_type": "raw", "metadata": {}, "source": "ignored"},
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }

    source, language = ipynb_to_source(json.dumps(doc).encode())

    assert language == "PYTHON"
    cells = parse_source(source).cells
    assert [c.magic for c in cells] == ["md", "sql", None]
    assert cells[1].body == "SELECT 1"
    assert cells[2].text == "a = 1\na"


def test_invalid_jupyter_content_is_a_notebook_format_error() -> None:
    with pytest.raises(NotebookFormatError, match="invalid JSON"):
        ipynb_to_source(b"{not json")
    with pytest.raises(NotebookFormatError, match="cells"):
        ipynb_to_source(b'{"metadata": {}}')
    with pytest.raises(NotebookFormatError, match="unknown notebook language"):
        source_to_ipynb("x", "cobol")
