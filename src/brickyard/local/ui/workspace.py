"""The workspace tree: a folder's contents, a file's text, and a notebook rendered cell by cell
(markdown cells as HTML, with raw HTML in them escaped, other cells as code with their language)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from brickyard import notebook_format as nbf
from brickyard.local.server.services import Services
from brickyard.local.store.workspace import DIRECTORY, NOTEBOOK, REPO, canonical

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

MAX_SHOWN = 1024 * 1024


def workspace_page(ws: Services, path: str) -> dict[str, Any]:
    entry = ws.tree.get(canonical(path or "/"))
    crumbs = _crumbs(entry.path)
    if entry.object_type in (DIRECTORY, REPO):
        items = sorted(
            ws.tree.list(entry.path), key=lambda i: (i["object_type"] not in (DIRECTORY, REPO), i["path"])
        )
        children = [
            {"name": i["path"].rsplit("/", 1)[-1], "type": i["object_type"], "path": i["path"]} for i in items
        ]
        return {"path": entry.path, "crumbs": crumbs, "kind": "folder", "children": children}
    data = entry.file.read_bytes()
    shown = data[:MAX_SHOWN].decode("utf-8", errors="replace")
    page: dict[str, Any] = {"path": entry.path, "crumbs": crumbs, "truncated": len(data) > MAX_SHOWN}
    if entry.object_type == NOTEBOOK:
        notebook = nbf.parse_source(shown, entry.language)
        page.update(
            kind="notebook",
            language=notebook.language,
            cells=[_cell(c, notebook.language) for c in notebook.cells],
        )
    else:
        page.update(kind="file", text=shown)
    return page


def _cell(cell: nbf.Cell, language: str) -> dict[str, Any]:
    if cell.magic == "md":
        return {"kind": "markdown", "title": cell.title, "html": Markup(_markdown().render(cell.body))}
    return {
        "kind": "code",
        "title": cell.title,
        "language": (cell.magic or language).lower(),
        "text": cell.text,
    }


@functools.cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt  # ~0.1 s: when a notebook is first shown, not at server start

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _crumbs(path: str) -> list[tuple[str, str]]:
    parts = [p for p in path.split("/") if p]
    return [(part, "/" + "/".join(parts[: i + 1])) for i, part in enumerate(parts)]
