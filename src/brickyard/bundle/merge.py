"""Merging configuration the way `databricks bundle` does.

Mappings merge recursively and the overriding side wins. Sequences concatenate; then the lists
whose elements have an identity (job tasks by `task_key`, job clusters by `job_cluster_key`, job
parameters by `name`, environments by `environment_key`, pipeline clusters by `label`) collapse
elements with the same key into one, merged in order. Complex variable values are replaced whole.
"""

from __future__ import annotations

from collections.abc import Callable

from brickyard.bundle.node import Node, map_entries

KeyFn = Callable[[Node], str | None]


class MergeConflict(Exception):
    """A mapping or sequence meets a value of another kind (`tasks: ${var.x}` and a target's list)."""

    def __init__(self, base: Node, override: Node) -> None:
        super().__init__(f"cannot merge {_kind(base)} with {_kind(override)}")


def _kind(node: Node) -> str:
    if node.is_map:
        return "map"
    if node.is_seq:
        return "sequence"
    return {bool: "bool", int: "int", float: "float"}.get(type(node.value), "string")


def merge(base: Node, override: Node, strict: bool = False) -> Node:
    """`override` merged onto `base`; neither input is modified. With `strict`, a container meeting a
    value of another kind raises MergeConflict, as the CLI's target override does."""
    if base.is_map and override.is_map:
        out = {k: v.copy() for k, v in base.value.items()}
        for key, value in override.value.items():
            out[key] = merge(out[key], value, strict) if key in out else value.copy()
        return _container(out, base, override)
    if base.is_seq and override.is_seq:
        items = [v.copy() for v in base.value] + [v.copy() for v in override.value]
        return _container(items, base, override)
    if override.value is None and base.value is not None:
        return base.copy()  # an empty override (`key:`) does not erase the base value
    if (
        strict
        and base.value is not None
        and (base.is_map or base.is_seq or override.is_map or override.is_seq)
    ):
        raise MergeConflict(base, override)
    replaced = override.copy()
    if base.loc is not None and base.is_scalar and replaced.is_scalar:
        replaced.also = (*replaced.also, base.loc, *base.also)  # the CLI names every place it was set
    return replaced


def _container(value: dict[str, Node] | list[Node], base: Node, override: Node) -> Node:
    """A merged mapping or sequence is where the base was written, and also where the override was
    (a merged scalar is the other way round: where the winning value was written first)."""
    if base.loc is None:
        return Node(value, override.loc, override.key_loc or base.key_loc, also=override.also)
    places = (*base.also, *((override.loc, *override.also) if override.loc is not None else ()))
    return Node(value, base.loc, override.key_loc or base.key_loc, also=tuple(dict.fromkeys(places)))


def merge_by_key(seq: Node, key_fn: KeyFn) -> None:
    """Collapse elements of `seq` that share a key; the first occurrence keeps its position."""
    if not seq.is_seq:
        return
    out: list[Node] = []
    index: dict[str, int] = {}
    for item in seq.value:
        key = key_fn(item)
        if key is None:
            out.append(item)
        elif key in index:
            out[index[key]] = merge(out[index[key]], item)
        else:
            index[key] = len(out)
            out.append(item)
    seq.value = out


def field_key(name: str, default: str | None = None, fold_case: bool = False) -> KeyFn:
    def key(item: Node) -> str | None:
        node = item.get(name)
        value = node.value if node is not None else default
        if value is None:
            return None
        text = str(value)
        return text.lower() if fold_case else text

    return key


# (resource kind, list field, identity of an element)
_KEYED_LISTS: tuple[tuple[str, str, KeyFn], ...] = (
    # A task or job cluster without its key has the key "": such elements merge with each other.
    ("jobs", "job_clusters", field_key("job_cluster_key", default="")),
    ("jobs", "tasks", field_key("task_key", default="")),
    ("jobs", "parameters", field_key("name")),
    ("jobs", "environments", field_key("environment_key")),
    ("pipelines", "clusters", field_key("label", default="default", fold_case=True)),
)


# Lists whose elements carry their key: one left out is written back as "", as the CLI writes it.
# The CLI merges before it checks required fields, so a missing key draws no warning.
_WRITTEN_KEYS = {("jobs", "tasks"): "task_key", ("jobs", "job_clusters"): "job_cluster_key"}


def merge_keyed_lists(resources: Node | None) -> None:
    """Apply the keyed merges to every job and pipeline after targets were merged in."""
    if resources is None:
        return
    for kind, field_name, key_fn in _KEYED_LISTS:
        for _, resource in map_entries(resources, kind):
            if (seq := resource.get(field_name)) is None:
                continue
            if (written := _WRITTEN_KEYS.get((kind, field_name))) is not None:
                _fill_missing_keys(seq, written)
            merge_by_key(seq, key_fn)


def _fill_missing_keys(seq: Node, name: str) -> None:
    if not seq.is_seq:
        return
    for item in seq.value:
        if item.is_map and ((node := item.get(name)) is None or node.value is None):
            item.value[name] = Node("", item.loc)
