"""Dataset names: how a reference in pipeline source maps to a dataset key and to a catalog table."""

from __future__ import annotations

from dataclasses import dataclass

from brickyard.errors import PipelineError
from brickyard.local.sql.text import quote

__all__ = ["DEFAULT_CATALOG", "Names", "quote", "split_name"]

DEFAULT_CATALOG = "main"


def split_name(name: str) -> list[str]:
    """`a.b.c` → ['a', 'b', 'c'], honouring backquotes (`` `my.table` `` is one part)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(name):
        char = name[i]
        if char == "`":
            if quoted and i + 1 < len(name) and name[i + 1] == "`":
                current.append("`")
                i += 2
                continue
            quoted = not quoted
        elif char == "." and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current).strip())
    if quoted or any(not part for part in parts):
        raise PipelineError(f"'{name}' is not a valid table name")
    return parts


@dataclass(frozen=True)
class Names:
    """Qualifies names against the pipeline's catalog and schema (its publishing target)."""

    catalog: str | None
    schema: str | None

    @property
    def target(self) -> tuple[str, str] | None:
        if not self.schema:
            return None
        return (self.catalog or DEFAULT_CATALOG, self.schema)

    def key(self, name: str) -> str:
        """The dataset key for a declared or referenced name; `LIVE.` is the pipeline's own schema."""
        parts = split_name(name)
        if len(parts) == 2 and parts[0].lower() == "live":
            parts = parts[1:]
        target = self.target
        if target is None:
            return ".".join(parts).lower()
        if len(parts) == 1:
            parts = [*target, parts[0]]
        elif len(parts) == 2:
            parts = [target[0], *parts]
        return ".".join(parts).lower()

    def is_live(self, name: str) -> bool:
        parts = split_name(name)
        return len(parts) == 2 and parts[0].lower() == "live"

    def table_name(self, key: str) -> str:
        """The quoted catalog name a published dataset gets."""
        return ".".join(quote(part) for part in split_name(key))
