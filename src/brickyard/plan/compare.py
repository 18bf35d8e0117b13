"""Comparing what brickyard deployed with what the workspace holds, field by field.

A workspace answers with more than it was sent: defaults it fills in (`timeout_seconds: 0`,
`email_notifications: {}`, a task's `run_if: ALL_SUCCESS`, `format`, `run_as` set to the deployer),
cluster attributes it chooses, and lists in its own order. Drift must not see any of that, or a
bundle deployed a second ago would report drift. So the comparison is asymmetric:

- every field brickyard sent is compared; one the workspace no longer has counts only when what was
  sent was not empty or a default;
- a field only the workspace has counts only when it carries a value, not an empty one or a default
  the server fills itself (the kind's `server_filled`); for kinds whose documents are mostly status
  (clusters, Unity Catalog objects), only the settings a person can edit (`editable_extras`) count;
- lists with a key (`tasks` by `task_key`, `job_clusters`, `parameters`, `environments`,
  `depends_on`) are matched by key, so a reordered list is no drift and a report names the task;
- scalars compare loosely across the types an API round trip changes (`"1"` and `1`, `/Workspace/x`
  and `/x`).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from brickyard.resources.base import ANY, DEPLOYER
from brickyard.workspace.paths import canonical

if TYPE_CHECKING:
    from brickyard.resources.base import Kind

LIST_KEYS = {
    "tasks": "task_key",
    "job_clusters": "job_cluster_key",
    "environments": "environment_key",
    "parameters": "name",
    "depends_on": "task_key",
}

Change = Literal["changed", "added", "removed"]


@dataclass(frozen=True)
class FieldChange:
    path: str
    change: Change
    """`added` and `removed` are from the workspace's side: added in the UI, removed in the UI."""
    deployed: Any = None
    actual: Any = None

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"field": self.path, "change": self.change}
        if self.change != "added":
            doc["deployed"] = self.deployed
        if self.change != "removed":
            doc["workspace"] = self.actual
        return doc


def compare(
    kind: type[Kind] | None, deployed: Any, actual: Any, deployers: frozenset[str] = frozenset()
) -> list[FieldChange]:
    """How the workspace's settings (`actual`) differ from the settings brickyard sent.

    `kind` says what the workspace fills in by itself (None: nothing); `deployers` are the users
    a `run_as` the workspace filled in may name.
    """
    filled: Mapping[str, tuple[Any, ...]] = kind.server_filled if kind is not None else {}
    extras = kind.editable_extras if kind is not None else None
    return _Comparison(filled, extras, deployers).diff(deployed, actual, "", "")


@dataclass(frozen=True)
class _Comparison:
    filled: Mapping[str, tuple[Any, ...]]
    extras: frozenset[str] | None
    deployers: frozenset[str]

    def diff(self, old: Any, new: Any, path: str, shape: str) -> list[FieldChange]:
        if isinstance(old, dict) and isinstance(new, dict):
            return self._dicts(old, new, path, shape)
        if isinstance(old, list) and isinstance(new, list):
            return self._lists(old, new, path, shape)
        if _same_scalar(old, new):
            return []
        if (_empty(old) or _empty(new)) and self.is_default(shape, old) and self.is_default(shape, new):
            return []  # one side unset, the other the value a workspace assumes when unset
        return [FieldChange(path or "(all)", "changed", old, new)]

    def _dicts(self, old: dict[str, Any], new: dict[str, Any], path: str, shape: str) -> list[FieldChange]:
        out: list[FieldChange] = []
        for key in sorted(set(old) | set(new), key=str):
            sub, sub_shape = _join(path, key), _join(shape, key)
            if key not in new:
                if not self.is_default(sub_shape, old[key]):
                    out.append(FieldChange(sub, "removed", old[key], None))
            elif key not in old:
                if self._reportable_extra(shape, key) and not self.is_default(sub_shape, new[key]):
                    out.append(FieldChange(sub, "added", None, new[key]))
            else:
                out.extend(self.diff(old[key], new[key], sub, sub_shape))
        return out

    def _lists(self, old: list[Any], new: list[Any], path: str, shape: str) -> list[FieldChange]:
        item_shape = f"{shape}[]"
        key = LIST_KEYS.get(shape.rsplit(".", 1)[-1].removesuffix("[]"))
        if key and _keyed(old, key) and _keyed(new, key):
            before, after = {str(e[key]): e for e in old}, {str(e[key]): e for e in new}
            out: list[FieldChange] = []
            for name in sorted(set(before) | set(after)):
                sub = f"{path}[{name}]"
                if name not in after:
                    out.append(FieldChange(sub, "removed", before[name], None))
                elif name not in before:
                    out.append(FieldChange(sub, "added", None, after[name]))
                else:
                    out.extend(self.diff(before[name], after[name], sub, item_shape))
            return out
        if len(old) != len(new):
            return [] if not old and not new else [FieldChange(path, "changed", old, new)]
        positional = [
            c
            for i, (a, b) in enumerate(zip(old, new, strict=True))
            for c in self.diff(a, b, f"{path}[{i}]", item_shape)
        ]
        if positional and self._same_in_any_order(old, new, path, item_shape):
            return []
        return positional

    def _same_in_any_order(self, old: list[Any], new: list[Any], path: str, shape: str) -> bool:
        left = list(new)
        for item in old:
            match = next((i for i, other in enumerate(left) if not self.diff(item, other, path, shape)), None)
            if match is None:
                return False
            left.pop(match)
        return True

    def _reportable_extra(self, shape: str, key: str) -> bool:
        return self.extras is None or shape != "" or key in self.extras

    def is_default(self, shape: str, value: Any) -> bool:
        """Whether `value` at `shape` is what the workspace holds when nobody set it."""
        if _empty(value):
            return True
        for pattern, values in self.filled.items():
            if not fnmatch.fnmatchcase(shape, pattern):
                continue
            if values is ANY or any(self._equal_default(v, value) for v in values):
                return True
        if isinstance(value, dict):
            return all(self.is_default(_join(shape, k), v) for k, v in value.items())
        return False

    def _equal_default(self, default: Any, value: Any) -> bool:
        plain = _Comparison({}, None, self.deployers)
        if default == {"user_name": DEPLOYER}:
            return any(not plain.diff({"user_name": user}, value, "", "") for user in self.deployers)
        return not plain.diff(default, value, "", "")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else str(key)


def _keyed(items: list[Any], key: str) -> bool:
    names = [e.get(key) for e in items if isinstance(e, dict)]
    return (
        len(names) == len(items)
        and all(n is not None for n in names)
        and len(set(map(str, names))) == len(names)
    )


def _empty(value: Any) -> bool:
    if value is None or value is False or value == "" or (isinstance(value, int | float) and value == 0):
        return True
    if isinstance(value, list):
        return not value
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    return False


def _same_scalar(a: Any, b: Any) -> bool:
    if a == b and isinstance(a, bool) == isinstance(b, bool):  # True == 1, but not as settings
        return True
    if isinstance(a, dict | list) or isinstance(b, dict | list) or a is None or b is None:
        return False
    left, right = _text(a), _text(b)
    return left == right or canonical(left) == canonical(right)


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
