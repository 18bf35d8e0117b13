"""Names the workspace uses as identifiers, and pipeline library paths, checked before deploy.

A resource whose `name` is its identifier in the API (a serving endpoint, a volume, a model, …) is
refused at deploy when the name is empty or holds a control character (a tab, a newline), and so
is a volume whose catalog or schema name holds one; a pipeline library that names no file or
notebook path is refused too. `validate` reports them as `databricks bundle validate` does: at the
field and where it is written, the names' errors in the order of their messages, then the
libraries'.
"""

from __future__ import annotations

import unicodedata

from brickyard.bundle.node import Node, map_entries
from brickyard.errors import Diagnostic, Severity

NAMED_KINDS = (
    ("catalogs", "catalog"),
    ("models", "model"),
    ("model_serving_endpoints", "model_serving_endpoint"),
    ("registered_models", "registered_model"),
    ("schemas", "schema"),
    ("volumes", "volume"),
    ("apps", "app"),
    ("secret_scopes", "secret_scope"),
)
"""Kinds whose `name` identifies them in the API."""
NAME_FIELDS = {"volumes": ("name", "catalog_name", "schema_name")}
"""The fields of a kind that name it (only `name` for the kinds not listed)."""
LIBRARY_PATHS = ("file", "notebook")


def check_identifiers(config: Node, diags: list[Diagnostic]) -> None:
    resources = config.get("resources")
    if resources is None or not resources.is_map:
        return
    named: list[Diagnostic] = []
    for kind, singular in NAMED_KINDS:
        for key, resource in map_entries(resources, kind):
            for field in NAME_FIELDS.get(kind, ("name",)):
                name = resource.get(field)
                if name is None or not isinstance(name.value, str):
                    continue  # missing or not text: the schema check says so
                problem = "is required" if not name.value and field == "name" else _control(name.value)
                if problem:
                    named.append(
                        Diagnostic(
                            Severity.ERROR,
                            f"{singular} {field} {problem}",
                            f"resources.{kind}.{key}.{field}",
                            name.loc or resource.loc,
                        )
                    )
    diags.extend(sorted(named, key=lambda d: (d.summary, d.path)))
    for key, pipeline in map_entries(resources, "pipelines"):
        libraries = pipeline.get("libraries")
        for index, library in enumerate(
            libraries.value if libraries is not None and libraries.is_seq else []
        ):
            for what in LIBRARY_PATHS:
                entry = library.get(what)
                if entry is not None and entry.is_map and not _text(entry.get("path")):
                    diags.append(
                        Diagnostic(
                            Severity.ERROR,
                            f"pipeline library {what} path is required",
                            f"resources.pipelines.{key}.libraries[{index}].{what}",
                            library.loc,
                        )
                    )


def _control(name: str) -> str:
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "must not contain control characters"
    return ""


def _text(node: Node | None) -> str:
    return node.value if node is not None and isinstance(node.value, str) else ""
