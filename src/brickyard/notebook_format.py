"""Databricks notebooks in their two text forms: SOURCE (`# COMMAND ----------` cells) and Jupyter.

The local workspace stores every notebook in SOURCE format (see `protocol`), so one parser serves
both the worker, which runs cells, and the server, which converts on import and export. A cell in
another language than the notebook's is written with `MAGIC` comment prefixes, exactly as a
Databricks export writes it, so notebooks round-trip with the real workspace unchanged:

    # Databricks notebook source
    print("python cell")

    # COMMAND ----------

    # MAGIC %sql
    # MAGIC SELECT 1

In Jupyter form, a `%md` cell is a markdown cell and every other magic stays the first line of a
code cell, which is how Databricks exports `.ipynb`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from brickyard.errors import NotebookFormatError

PYTHON, SQL, SCALA, R = "PYTHON", "SQL", "SCALA", "R"
LANGUAGES = (PYTHON, SQL, SCALA, R)
COMMENT = {PYTHON: "#", SQL: "--", SCALA: "//", R: "#"}
EXTENSIONS = {".py": PYTHON, ".sql": SQL, ".scala": SCALA, ".r": R}
HEADER = "Databricks notebook source"
SEPARATOR = "COMMAND ----------"
DATABRICKS_NOTEBOOK = "application/vnd.databricks.v1+notebook"
DATABRICKS_CELL = "application/vnd.databricks.v1+cell"
_TITLE = re.compile(r"^DBTITLE \d+,(.*)$")


@dataclass(frozen=True)
class Cell:
    """One command. `text` is the code without `MAGIC` prefixes; `magic` names a leading `%magic`."""

    text: str
    title: str | None = None

    @property
    def magic(self) -> str | None:
        first = self.text.split("\n", 1)[0].strip()
        if not first.startswith("%"):
            return None
        name = first.lstrip("%").split(None, 1)
        return name[0].lower() if name else None

    @property
    def body(self) -> str:
        """The code after the magic word (`%run ./x` → `./x`); the whole text for plain cells."""
        if self.magic is None:
            return self.text
        first, _, rest = self.text.partition("\n")
        inline = first.strip().lstrip("%").split(None, 1)
        head = inline[1] if len(inline) > 1 else ""
        return f"{head}\n{rest}" if head and rest else head or rest


@dataclass(frozen=True)
class Notebook:
    language: str
    cells: list[Cell] = field(default_factory=list)


def normalize_language(language: str) -> str:
    """`python`, `Python`, `PYTHON` → `PYTHON`; anything else is an error."""
    upper = language.strip().upper()
    if upper not in LANGUAGES:
        raise NotebookFormatError(
            f"unknown notebook language {language!r}; expected one of {', '.join(LANGUAGES)}"
        )
    return upper


def language_from_extension(filename: str) -> str | None:
    lowered = filename.lower()
    return next((lang for ext, lang in EXTENSIONS.items() if lowered.endswith(ext)), None)


def language_from_header(source: str | bytes, filename: str = "") -> str | None:
    """The language a SOURCE notebook's first line names (`#` is Python, or R for an `.r` file)."""
    text = source.decode("utf-8", errors="replace") if isinstance(source, bytes) else source
    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip()
    for prefix, language in (("--", SQL), ("//", SCALA), ("#", PYTHON)):
        if first == f"{prefix} {HEADER}":
            return R if language == PYTHON and language_from_extension(filename) == R else language
    return None


def is_ipynb(data: str | bytes) -> bool:
    """Whether `data` is a Jupyter notebook document (JSON with a `cells` list)."""
    try:
        doc = json.loads(data)
    except ValueError:
        return False
    return isinstance(doc, dict) and isinstance(doc.get("cells"), list)


def detect_language(source: str | bytes, filename: str = "") -> str | None:
    """The notebook language of file content: its SOURCE header, its Jupyter metadata, else its extension.

    None means the content is not recognisably a notebook and the name gives no language either.
    """
    found = language_from_header(source, filename)
    if found is not None:
        return found
    if filename.lower().endswith(".ipynb") or source[:1] in ("{", b"{"):
        try:
            return _ipynb_language(_load_ipynb(source))
        except NotebookFormatError:
            pass
    return language_from_extension(filename)


def with_header(source: str, language: str) -> str:
    """SOURCE text that starts with the header, as the workspace stores an imported plain file."""
    language = normalize_language(language)
    if language_from_header(source) is not None:
        return source
    return f"{COMMENT[language]} {HEADER}\n{source}"


def parse_source(source: str, language: str | None = None) -> Notebook:
    """Cells of SOURCE text; text without a header is one notebook of `language` (default Python)."""
    text = source.lstrip("\ufeff").replace("\r\n", "\n")
    detected = language_from_header(text)
    lang = normalize_language(language) if language is not None else detected or PYTHON
    comment = COMMENT[lang]
    lines = text.split("\n")
    if detected is not None:
        lines = lines[1:]
    chunks: list[list[str]] = [[]]
    for line in lines:
        if line.rstrip() == f"{comment} {SEPARATOR}":
            chunks.append([])
        else:
            chunks[-1].append(line)
    cells = [cell for chunk in chunks if (cell := _cell_from_lines(chunk, comment)) is not None]
    return Notebook(lang, cells)


def render_source(notebook: Notebook) -> str:
    """SOURCE text for `notebook`, byte-compatible with a Databricks export."""
    comment = COMMENT[notebook.language]
    parts = []
    for cell in notebook.cells:
        lines = [f"{comment} DBTITLE 1,{cell.title}"] if cell.title else []
        if cell.magic is not None:
            lines += [
                f"{comment} MAGIC {line}" if line else f"{comment} MAGIC" for line in cell.text.split("\n")
            ]
        else:
            lines.append(cell.text)
        parts.append("\n".join(lines))
    body = f"\n\n{comment} {SEPARATOR}\n\n".join(parts)
    return f"{comment} {HEADER}\n{body}\n"


def ipynb_to_source(data: bytes) -> tuple[str, str]:
    """A Jupyter notebook as SOURCE text, with its language (PYTHON, SQL, SCALA or R)."""
    doc = _load_ipynb(data)
    language = _ipynb_language(doc)
    cells: list[Cell] = []
    for raw in doc["cells"]:
        if not isinstance(raw, dict):
            raise NotebookFormatError("a Jupyter cell is not a JSON object")
        kind = raw.get("cell_type")
        text = _joined(raw.get("source", "")).strip("\n")
        if kind == "raw" or (not text and kind != "markdown"):
            continue
        if kind == "markdown":
            text = f"%md\n{text}" if text else "%md"
        elif text.startswith("%%"):
            text = text[1:]
        meta = (raw.get("metadata") or {}).get(DATABRICKS_CELL) or {}
        cells.append(Cell(text, str(meta.get("title") or "") or None))
    return render_source(Notebook(language, cells)), language


def source_to_ipynb(source: str, language: str, name: str = "") -> bytes:
    """SOURCE text as a Jupyter notebook document (UTF-8 JSON), in the shape Databricks exports."""
    notebook = parse_source(source, language)
    lang = notebook.language.lower()
    cells: list[dict[str, Any]] = []
    for cell in notebook.cells:
        meta = {DATABRICKS_CELL: {"title": cell.title or "", "showTitle": bool(cell.title)}}
        if cell.magic == "md":
            cells.append({"cell_type": "markdown", "metadata": meta, "source": _split(cell.body)})
        else:
            cells.append(
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "metadata": meta,
                    "outputs": [],
                    "source": _split(cell.text),
                }
            )
    doc = {
        "cells": cells,
        "metadata": {
            DATABRICKS_NOTEBOOK: {"language": lang, "notebookName": name, "widgets": {}},
            "language_info": {"name": lang},
        },
        "nbformat": 4,
        "nbformat_minor": 0,
    }
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _cell_from_lines(lines: list[str], comment: str) -> Cell | None:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    title = None
    if lines and lines[0].startswith(f"{comment} DBTITLE "):
        match = _TITLE.match(lines[0][len(comment) + 1 :])
        if match:
            title, lines = match.group(1), lines[1:]
    if not lines:
        return None
    magic = f"{comment} MAGIC"
    if lines[0] == magic or lines[0].startswith(magic + " "):
        lines = [line[len(magic) + 1 :] if line.startswith(magic) else line for line in lines]
    return Cell("\n".join(lines), title)


def _load_ipynb(data: str | bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise NotebookFormatError(f"not a Jupyter notebook: invalid JSON ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
        raise NotebookFormatError("not a Jupyter notebook: no `cells` list")
    return doc


def _ipynb_language(doc: dict[str, Any]) -> str:
    meta = doc.get("metadata") or {}
    candidates = (
        (meta.get(DATABRICKS_NOTEBOOK) or {}).get("language"),
        (meta.get("kernelspec") or {}).get("language"),
        (meta.get("language_info") or {}).get("name"),
    )
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.upper() in LANGUAGES:
            return candidate.upper()
    return PYTHON


def _joined(source: str | list[str]) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def _split(text: str) -> list[str]:
    return text.splitlines(keepends=True)
