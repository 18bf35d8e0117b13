"""Reading pipeline source: library entries → Python and SQL code, with notebooks split into cells.

A pipeline's libraries are Python and SQL files, notebooks in Databricks source format, and glob
includes of both. Notebook cells are kept at their original line numbers (separators and `MAGIC`
lines become blank lines) so that tracebacks and errors point into the user's file. Magic cells
(`%md`, `%pip`, `%sql` in a Python notebook, …) are not pipeline code; they are reported and skipped,
as Databricks does.

Language detection and Jupyter conversion come from `brickyard.notebook_format`; the cell split
is done here because pipelines need the code kept at its original line numbers, which a cell list
does not carry.
"""

from __future__ import annotations

import glob as globlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from brickyard import notebook_format
from brickyard.errors import NotebookFormatError, PipelineError
from brickyard.pipelines.spec import Library

Language = Literal["python", "sql"]

_HEADERS: dict[str, Language] = {
    f"# {notebook_format.HEADER}": "python",
    f"-- {notebook_format.HEADER}": "sql",
}
_LANGUAGES: dict[str, Language] = {notebook_format.PYTHON: "python", notebook_format.SQL: "sql"}
_SEPARATORS = {f"# {notebook_format.SEPARATOR}", f"-- {notebook_format.SEPARATOR}"}
_MAGIC_PREFIX: dict[Language, str] = {"python": "# MAGIC", "sql": "-- MAGIC"}
_GLOB_CHARS = set("*?[")
_SUFFIXES: dict[str, Language] = {"py": "python", "sql": "sql"}


@dataclass
class SourceUnit:
    """One file's pipeline code in one language, line-aligned with the file."""

    file: str
    language: Language
    text: str
    skipped: list[str] = field(default_factory=list)
    """Why parts of the file were not run (magic cells), for warnings in the event log."""


def load_libraries(libraries: tuple[Library, ...]) -> list[SourceUnit]:
    units: list[SourceUnit] = []
    seen: set[Path] = set()
    for library in libraries:
        for path in _expand(library):
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            unit = read_source(path)
            if unit is not None:
                units.append(unit)
    return units


def _expand(library: Library) -> list[Path]:
    path = Path(library.path)
    if library.kind != "glob":
        if not path.is_file():
            raise PipelineError(
                f"the pipeline's {library.kind} library {library.path} does not exist", file=library.path
            )
        return [path]
    pattern = library.path
    if path.is_dir():
        pattern = str(path / "**")
    if pattern.endswith("**"):
        pattern = pattern + "/*"
    root = _glob_root(Path(pattern))
    matches = set(globlib.glob(pattern, recursive=True))
    matches.update(_stored_notebooks(pattern))
    files = sorted(m for m in map(Path, matches) if m.is_file() and not _hidden(m.relative_to(root)))
    if not files:
        raise PipelineError(f"the pipeline's glob library {library.path} matches no files", file=library.path)
    return [f for f in files if _language_of(f) is not None]


def _glob_root(pattern: Path) -> Path:
    """The part of a glob before its first wildcard: only names below it can be hidden files."""
    parts: list[str] = []
    for part in pattern.parts:
        if _GLOB_CHARS & set(part):
            break
        parts.append(part)
    return Path(*parts)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _stored_notebooks(pattern: str) -> list[str]:
    """Notebooks a `*.py` / `*.sql` glob means: the workspace keeps an imported notebook without its
    extension, so `transformations/*.py` must also find `transformations/x` holding a notebook."""
    stem, dot, suffix = pattern.rpartition(".")
    if not dot or suffix.lower() not in _SUFFIXES:
        return []
    return [
        candidate
        for candidate in globlib.glob(stem, recursive=True)
        if not Path(candidate).suffix and _language_of(Path(candidate)) == _SUFFIXES[suffix.lower()]
    ]


def _language_of(path: Path) -> Language | None:
    suffix = path.suffix.lower()
    if suffix == ".sql":
        return "sql"
    if suffix == ".py":
        return "python"
    # A notebook is stored without its extension, so `02.load` is a notebook named so: anything
    # else is told by its content (a README in a glob is not a notebook).
    try:
        head = path.read_bytes() if suffix == ".ipynb" else path.read_bytes()[:4096]
    except OSError:
        return None
    return _LANGUAGES.get(notebook_format.detect_language(head, path.name) or "")


def read_source(path: Path) -> SourceUnit | None:
    """The code in one file, or None when it is not Python or SQL (a README in a glob, say)."""
    language = _language_of(path)
    if language is None:
        return None
    if path.suffix.lower() == ".ipynb":
        return _read_ipynb(path)
    text = path.read_text(encoding="utf-8").lstrip("\ufeff")
    lines = text.splitlines()
    header = lines[0].strip() if lines else ""
    if header in _HEADERS:
        return _read_notebook(str(path), _HEADERS[header], lines)
    return SourceUnit(str(path), language, text)


def _read_notebook(file: str, language: Language, lines: list[str]) -> SourceUnit:
    """Blank out the header, separators and magic cells, keeping every other line where it was."""
    prefix = _MAGIC_PREFIX[language]
    out: list[str] = [""]
    skipped: list[str] = []
    cell: list[str] = []
    cell_start = 1

    def flush() -> None:
        code = [line for line in cell if line.strip()]
        if code and all(line.startswith(prefix) for line in code):
            magic = code[0][len(prefix) :].strip().split(" ", 1)[0] or "%md"
            skipped.append(
                f"{file}:{cell_start + 1}: {magic} cell skipped (magic commands do not run in pipelines)"
            )
            out.extend("" for _ in cell)
        else:
            out.extend(cell)

    for number, line in enumerate(lines[1:], start=1):
        if line.strip() in _SEPARATORS:
            flush()
            out.append(";" if language == "sql" else "")  # a SQL cell may omit its final semicolon
            cell = []
            cell_start = number
        else:
            cell.append(line)
    flush()
    return SourceUnit(file, language, "\n".join(out) + "\n", skipped)


def _read_ipynb(path: Path) -> SourceUnit:
    try:
        source, language = notebook_format.ipynb_to_source(path.read_bytes())
    except NotebookFormatError as exc:
        raise PipelineError(f"{path} is not a valid notebook: {exc}", file=str(path)) from exc
    lines = source.splitlines()
    return _read_notebook(str(path), _LANGUAGES.get(language, "python"), lines)
