"""Resources as deploy sends them: settings, references between them, and what changed.

The bundle's configuration of a resource is split into what the resource's API takes and what
brickyard applies separately (`permissions`, `grants`, `lifecycle`). References to other
resources' ids (`${resources.pipelines.p.id}`) are filled from the state when known; a resource
created in the same deploy gets its id filled during apply, in dependency order.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from brickyard.errors import PlanError
from brickyard.graph import find_cycle
from brickyard.resources import Registry

RESOURCE_REF = re.compile(r"\$\{resources\.([a-z_]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_.]+)\}")
SEPARATE_FIELDS = ("permissions", "grants", "lifecycle")


def fingerprint(config: Mapping[str, Any]) -> str:
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def references(value: Any) -> Iterator[tuple[str, str, str]]:
    """Every `${resources.kind.key.field}` inside a configuration value (a JSON-like value, read as
    its JSON text: one scan in C, where walking a job of many tasks value by value took long)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    for match in RESOURCE_REF.finditer(text):
        yield match.group(1), match.group(2), match.group(3)


def fill_references(value: Any, ids: Mapping[str, str], strict: bool = False) -> Any:
    """Replace `${resources.kind.key.id}` with known ids; unknown ones stay (or raise when strict)."""
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            kind, key, attr = match.groups()
            address = f"{kind}.{key}"
            if attr == "id" and address in ids:
                return ids[address]
            if strict:
                from brickyard.resources import REGISTRY

                if attr != "id":
                    what = f"only .id can be referenced, not .{attr}"
                elif kind not in REGISTRY:
                    what = f"{kind} are not deployable by brickyard yet, so {address} has no id"
                else:
                    what = f"{address} has no id yet"
                raise PlanError(f"cannot fill {match.group(0)}: {what}")
            return match.group(0)

        return RESOURCE_REF.sub(substitute, value)
    if isinstance(value, dict):
        return {k: fill_references(v, ids, strict) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_references(v, ids, strict) for v in value]
    return value


def split_settings(config: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the resource API takes, what brickyard applies on the side)."""
    settings = {k: v for k, v in config.items() if k not in SEPARATE_FIELDS}
    extras = {k: config[k] for k in SEPARATE_FIELDS if k in config}
    return settings, extras


def changed_fields(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted paths where two configurations differ, as specific as the shapes allow."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in old or key not in new:
                out.append(path)
            else:
                out.extend(changed_fields(old[key], new[key], path))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        out = []
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            out.extend(changed_fields(a, b, f"{prefix}[{index}]"))
        return out
    return [] if old == new else [prefix or "(all)"]


def needs_recreate(recreate_fields: tuple[str, ...], fields: list[str]) -> list[str]:
    """Which of the changed `fields` cannot change in place (the kind's `recreate_fields`)."""
    heads = {field.split(".")[0].split("[")[0] for field in fields}
    return [f for f in recreate_fields if f in heads]


def apply_order(addresses: list[str], configs: Mapping[str, Any], registry: Registry) -> list[str]:
    """Addresses in stage (rank) order; a resource comes after those it references."""
    present = set(addresses)
    graph = {
        a: sorted({f"{k}.{key}" for k, key, _ in references(configs.get(a, {}))} & present - {a})
        for a in addresses
    }
    cycle = find_cycle(graph)
    if cycle:
        raise PlanError(f"resources reference each other in a cycle: {' -> '.join(cycle)}")
    done: list[str] = []
    seen: set[str] = set()

    def visit(address: str) -> None:
        if address in seen:
            return
        seen.add(address)
        for dep in graph[address]:
            visit(dep)
        done.append(address)

    for address in sorted(addresses, key=lambda a: (registry.rank(a.split(".", 1)[0]), a)):
        visit(address)
    return done
