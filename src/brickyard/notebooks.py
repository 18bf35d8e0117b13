"""Recognising notebooks among local files, the way the Databricks CLI and workspace do.

A `.py`, `.sql`, `.scala` or `.r` file is a notebook when its first line is the Databricks source
header for its language; an `.ipynb` file always is. Validate needs this to check notebook tasks,
deploy to import notebooks as notebooks (without extension, with their language).
"""

from __future__ import annotations

from pathlib import Path

HEADERS: dict[str, tuple[str, str]] = {
    ".py": ("# Databricks notebook source", "PYTHON"),
    ".sql": ("-- Databricks notebook source", "SQL"),
    ".scala": ("// Databricks notebook source", "SCALA"),
    ".r": ("# Databricks notebook source", "R"),
}
JUPYTER = ".ipynb"
# Notebooks of the visual editors (Lakeflow designer and flows) keep their whole name in the workspace.
KEEP_NAME = (".designer.ipynb", ".flow.ipynb")


def notebook_language(path: Path) -> str | None:
    """The notebook's language (PYTHON, SQL, SCALA, R), or None when the file is not a notebook."""
    suffix = path.suffix.lower()
    if suffix == JUPYTER:
        return _ipynb_language(path)
    header = HEADERS.get(suffix)
    if header is None:
        return None
    try:
        with path.open("rb") as handle:
            first = handle.readline(256)
    except OSError:
        return None
    text = first.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n").rstrip()
    return header[1] if text == header[0] else None


def is_notebook(path: Path) -> bool:
    return notebook_language(path) is not None


def strip_notebook_extension(relative: str) -> str:
    """Notebooks live in the workspace without their extension: `etl/ingest.py` → `etl/ingest`."""
    if relative.lower().endswith(KEEP_NAME):
        return relative
    for suffix in (*HEADERS, JUPYTER):
        if relative.lower().endswith(suffix):
            return relative[: -len(suffix)]
    return relative


def _ipynb_language(path: Path) -> str:
    import json

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "PYTHON"
    meta = doc.get("metadata", {}) if isinstance(doc, dict) else {}
    language = (meta.get("language_info", {}) or {}).get("name") or (meta.get("kernelspec", {}) or {}).get(
        "language", "python"
    )
    return {"python": "PYTHON", "sql": "SQL", "scala": "SCALA", "r": "R"}.get(str(language).lower(), "PYTHON")
