"""Attribute paths as cluster policies write them, resolved against a cluster spec.

`spark_conf.spark.databricks.cluster.profile` names one key of the `spark_conf` map (the key holds
dots itself); `init_scripts.*.workspace.destination` names that field of every init script, and
`init_scripts.0.…` one of them. Each match comes back with its concrete key path, so a finding can
point at the exact line of the bundle that set the value.
"""

from __future__ import annotations

from typing import Any

# Attributes whose value is a map with free-form keys: the rest of the path is one key.
MAP_ATTRIBUTES = frozenset({"spark_conf", "spark_env_vars", "custom_tags", "cluster_tags", "configuration"})
AttrPath = tuple[str | int, ...]


def resolve(spec: Any, path: str) -> list[tuple[AttrPath, Any]]:
    """Every (concrete path, value) that `path` names in `spec`; empty when the attribute is absent."""
    head, _, rest = path.partition(".")
    if head in MAP_ATTRIBUTES and rest:
        mapping = spec.get(head) if isinstance(spec, dict) else None
        if isinstance(mapping, dict) and rest in mapping:
            return [((head, rest), mapping[rest])]
        return []
    return _walk(spec, path.split("."), ())


def _walk(value: Any, parts: list[str], done: AttrPath) -> list[tuple[AttrPath, Any]]:
    if not parts:
        return [] if value is None else [(done, value)]
    part, rest = parts[0], parts[1:]
    if isinstance(value, list):
        if part == "*":
            return [m for index, item in enumerate(value) for m in _walk(item, rest, (*done, index))]
        if part.isdigit() and int(part) < len(value):
            return _walk(value[int(part)], rest, (*done, int(part)))
        return []
    if isinstance(value, dict) and part in value:
        return _walk(value[part], rest, (*done, part))
    return []
