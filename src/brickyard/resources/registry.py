"""The set of resource kinds brickyard deploys, in stage order.

Plan, apply, destroy, summary, drift, releases and the schema check all ask a `Registry`; nothing
else knows a kind by name. A test builds its own registry with one more kind to prove that.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from brickyard.resources.base import Kind

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient


@dataclass(frozen=True)
class Registry:
    kinds: tuple[type[Kind], ...]

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.kinds, key=lambda k: (k.rank, k.name)))
        object.__setattr__(self, "kinds", ordered)
        names = [k.name for k in ordered]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated or "" in names:
            raise ValueError(f"resource kinds must have distinct names: {duplicated or 'an empty name'}")
        ranks = {k.name: k.rank for k in ordered}
        for kind in ordered:
            later = [d for d in kind.depends_on if d in ranks and ranks[d] >= kind.rank]
            if later:
                raise ValueError(f"{kind.name} depends on {', '.join(later)}, which must rank lower")

    def __iter__(self) -> Iterator[type[Kind]]:
        return iter(self.kinds)

    def __contains__(self, name: object) -> bool:
        return any(k.name == name for k in self.kinds)

    def __getitem__(self, name: str) -> type[Kind]:
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def get(self, name: str) -> type[Kind] | None:
        return next((k for k in self.kinds if k.name == name), None)

    def names(self) -> tuple[str, ...]:
        """Kind names in stage order (the order they are created in)."""
        return tuple(k.name for k in self.kinds)

    def rank(self, name: str) -> tuple[int, str]:
        """Sort key of a kind's stage; a kind not registered (an old state's) sorts last."""
        kind = self.get(name)
        return (kind.rank, name) if kind is not None else (1_000_000, name)

    def bind(self, client: WorkspaceClient) -> dict[str, Kind]:
        return {k.name: k(client) for k in self.kinds}

    def with_kinds(self, extra: Iterable[type[Kind]]) -> Registry:
        return Registry((*self.kinds, *extra))
