"""Which tables a backup covers: Unity Catalog names matched against the project's patterns.

The workspace is walked through the SDK (catalogs, schemas, tables), so the same selection works
on a real workspace and on the local one. Patterns are shell globs on the three-level name;
`main` means every table of `main` and `main.sales` every table of that schema. Views and tables
that are not Delta are reported and left out: they hold no data of their own to copy.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from brickyard.errors import RecoveryError, UsageError

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

SKIPPED_CATALOGS = frozenset({"system", "samples", "__databricks_internal"})
SKIPPED_SCHEMAS = frozenset({"information_schema"})


@dataclass(frozen=True)
class TableRef:
    full_name: str
    table_type: str
    storage_location: str
    comment: str | None = None
    properties: dict[str, str] | None = None

    @property
    def parts(self) -> tuple[str, str, str]:
        catalog, schema, name = self.full_name.split(".", 2)
        return catalog, schema, name


@dataclass(frozen=True)
class Selection:
    tables: list[TableRef]
    skipped: list[str]
    """Matching names left out, with why (views, non-Delta formats)."""


def normalize(pattern: str) -> str:
    parts = pattern.strip().lower().split(".")
    if not pattern.strip() or len(parts) > 3 or any(not p for p in parts):
        raise UsageError(f"bad table pattern {pattern!r}: use catalog[.schema[.table]], with * globs")
    return ".".join(parts + ["*"] * (3 - len(parts)))


def select_tables(client: WorkspaceClient, patterns: Sequence[str]) -> Selection:
    globs = [normalize(p) for p in patterns] or ["*.*.*"]
    tables: list[TableRef] = []
    skipped: list[str] = []
    from databricks.sdk.errors import NotFound

    for catalog in _catalogs(client, globs):
        try:
            schemas = _names(client.schemas.list(catalog_name=catalog))
        except NotFound:  # a catalog named in a pattern that the workspace does not have
            continue
        for schema in schemas:
            if schema in SKIPPED_SCHEMAS or not _could_match(globs, catalog, schema):
                continue
            for info in client.tables.list(catalog_name=catalog, schema_name=schema):
                full_name = f"{catalog}.{schema}.{info.name}"
                if not any(fnmatch.fnmatchcase(full_name.lower(), g) for g in globs):
                    continue
                reason = _not_backed_up(info)
                if reason:
                    skipped.append(f"{full_name} ({reason})")
                    continue
                tables.append(
                    TableRef(
                        full_name=full_name,
                        table_type=_value(info.table_type) or "MANAGED",
                        storage_location=str(info.storage_location),
                        comment=info.comment,
                        properties=dict(info.properties or {}) or None,
                    )
                )
    return Selection(sorted(tables, key=lambda t: t.full_name), sorted(skipped))


def _catalogs(client: WorkspaceClient, globs: list[str]) -> list[str]:
    names = [n for n in _names(client.catalogs.list()) if n not in SKIPPED_CATALOGS]
    literal = {g.split(".")[0] for g in globs if not any(c in g.split(".")[0] for c in "*?[")}
    names += [n for n in literal if n not in names]  # named explicitly: asked for even if skipped
    return sorted(n for n in names if any(fnmatch.fnmatchcase(n.lower(), g.split(".")[0]) for g in globs))


def _could_match(globs: list[str], catalog: str, schema: str) -> bool:
    prefix = f"{catalog}.{schema}".lower()
    return any(fnmatch.fnmatchcase(prefix, ".".join(g.split(".")[:2])) for g in globs)


def _names(items: Any) -> list[str]:
    return sorted(str(item.name) for item in items if item.name)


def _value(enum: Any) -> str | None:
    return None if enum is None else str(getattr(enum, "value", enum))


def _not_backed_up(info: Any) -> str | None:
    kind = _value(info.table_type) or ""
    if kind in ("VIEW", "MATERIALIZED_VIEW", "METRIC_VIEW"):
        return "a view: recreated from the catalog export"
    fmt = (_value(info.data_source_format) or "DELTA").upper()
    if fmt != "DELTA":
        return f"{fmt} tables are not backed up, only Delta"
    if not info.storage_location:
        return "the workspace does not say where its data is"
    return None


def require(selection: Selection, patterns: Sequence[str]) -> list[TableRef]:
    if not selection.tables:
        wanted = ", ".join(patterns) if patterns else "any table"
        raise RecoveryError(f"no Delta table matches {wanted}")
    return selection.tables
