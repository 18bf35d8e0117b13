"""Import and export formats of the Workspace API, on top of the tree in `store.workspace`.

Everything is converted to what the workers read: notebooks in SOURCE format with their header,
files byte for byte. Jupyter conversion is `notebook_format`'s, the same code the workers use.
"""

from __future__ import annotations

import io
import zipfile

from brickyard import notebook_format as nbf
from brickyard.errors import NotebookFormatError
from brickyard.local.apierror import ApiError
from brickyard.local.store.workspace import (
    DIRECTORY,
    FILE,
    NOTEBOOK,
    REPO,
    Entry,
    WorkspaceTree,
    canonical,
    export_extension,
)

LANGUAGES = ("PYTHON", "SQL", "SCALA", "R")
_UNSUPPORTED = ("DBC", "HTML", "R_MARKDOWN")


def import_object(
    tree: WorkspaceTree,
    path: str,
    content: bytes,
    format: str | None,
    language: str | None,
    overwrite: bool,
) -> None:
    fmt = (format or "SOURCE").upper()
    if fmt in _UNSUPPORTED:
        raise ApiError.invalid(f"import format {fmt} is not supported by the local workspace")
    if fmt == "AUTO":
        import_auto(tree, path, content, overwrite)
    elif fmt == "RAW":
        tree.write(path, content, FILE, None, overwrite)
    elif fmt == "JUPYTER":
        source, lang = _from_ipynb(content)
        tree.write(path, source.encode("utf-8"), NOTEBOOK, lang, overwrite)
    elif fmt == "SOURCE":
        if not language:
            raise ApiError.invalid("The language is required when importing a notebook in SOURCE format.")
        lang = language.upper()
        if lang not in LANGUAGES:
            raise ApiError.invalid(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
        source = nbf.with_header(_text(content, path), lang)
        tree.write(path, source.encode("utf-8"), NOTEBOOK, lang, overwrite)
    else:
        raise ApiError.invalid(f"unknown import format {format!r}")


def import_auto(tree: WorkspaceTree, path: str, content: bytes, overwrite: bool) -> None:
    """What a workspace does with an upload: `.ipynb` and headed sources become notebooks, named
    without their extension; everything else is a file. `databricks bundle deploy` relies on this."""
    path = canonical(path)
    lowered = path.lower()
    if lowered.endswith(".ipynb"):
        source, lang = _from_ipynb(content)
        tree.write(path[: -len(".ipynb")], source.encode("utf-8"), NOTEBOOK, lang, overwrite)
        return
    by_extension = nbf.language_from_extension(path)
    if by_extension is not None and nbf.language_from_header(content[:64], path) is not None:
        stem = path[: path.rfind(".")]
        tree.write(stem, content, NOTEBOOK, by_extension, overwrite)
        return
    tree.write(path, content, FILE, None, overwrite)


def export_object(tree: WorkspaceTree, path: str, format: str | None) -> tuple[bytes, str]:
    """The exported bytes and the `file_type` the JSON form reports."""
    fmt = (format or "SOURCE").upper()
    entry = tree.get(path)
    if fmt in _UNSUPPORTED:
        raise ApiError.invalid(f"export format {fmt} is not supported by the local workspace")
    if fmt not in ("SOURCE", "AUTO", "RAW", "JUPYTER"):
        raise ApiError.invalid(f"unknown export format {format!r}")
    if entry.object_type in (DIRECTORY, REPO):
        if fmt not in ("SOURCE", "AUTO"):
            raise ApiError.invalid(f"a folder can be exported only as SOURCE (a zip archive), not {fmt}")
        return _zip(tree, entry), "zip"
    data = entry.file.read_bytes()
    if entry.object_type == FILE:
        if fmt == "JUPYTER":
            raise ApiError.invalid(
                f"{entry.path} is a file, not a notebook; it cannot be exported as JUPYTER"
            )
        return data, entry.file.suffix.lstrip(".")
    language = entry.language or nbf.language_from_header(data) or "PYTHON"
    if fmt == "JUPYTER":
        return nbf.source_to_ipynb(_text(data, entry.path), language, entry.path.rsplit("/", 1)[-1]), "ipynb"
    return data, export_extension(language).lstrip(".")


def _zip(tree: WorkspaceTree, folder: Entry) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        pending = [folder.path]
        while pending:
            current = pending.pop()
            for info in tree.list(current):
                if info["object_type"] in (DIRECTORY, REPO):
                    pending.append(info["path"])
                    continue
                data, _ = export_object(tree, info["path"], "SOURCE")
                name = info["path"][len(folder.path) :].lstrip("/")
                if info["object_type"] == NOTEBOOK and not name.lower().endswith(
                    (".py", ".sql", ".scala", ".r")
                ):
                    name += export_extension(info.get("language"))
                archive.writestr(name, data)
    return buffer.getvalue()


def _from_ipynb(content: bytes) -> tuple[str, str]:
    try:
        return nbf.ipynb_to_source(content)
    except NotebookFormatError as err:
        raise ApiError.invalid(f"invalid Jupyter notebook: {err}") from None


def _text(content: bytes, path: str) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError.invalid(f"the notebook source for {path} is not UTF-8 text") from None
