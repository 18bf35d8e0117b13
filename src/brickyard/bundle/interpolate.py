"""`${…}` references: `${bundle.name}`, `${workspace.file_path}`, `${var.cfg.spark_conf[0]}`, ….

A string that is exactly one reference takes the referenced value with its type (a complex
variable stays a mapping); a reference inside a longer string is converted to text. References
resolve recursively, so variables can reference variables; a cycle is reported with its chain.
Some references cannot be known before deploy (`${resources.jobs.x.id}`, lookups): they are left in
place, deferred, for the deploy to fill.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from brickyard.bundle.node import Node, Path, format_path, lookup, walk
from brickyard.errors import Diagnostic, Severity

# A letter (any script), then letters and digits, with runs of `-`/`_` between them (`a__b`, `größe`).
# Separators and alphanumerics are disjoint classes, so the pattern cannot backtrack badly.
_SEGMENT = r"[^\W\d_][^\W_]*(?:[-_]+[^\W_]+)*"
MAX_CHAIN = 64
MAX_TEXT = 1_000_000
"""References that lead to references, at most this deep (a longer chain is a mistake)."""
REFERENCE = re.compile(
    r"(?<![$\\])\$\{(" + _SEGMENT + r"(?:\." + _SEGMENT + r"(?:\[[0-9]+\])*)*(?:\[[0-9]+\])*)\}"
)
_PART = re.compile(r"([^.\[\]]+)|\[([0-9]+)\]")

TOO_DEEP = (
    "Variables references are too deep, stopping resolution after 11 rounds. Unresolved variables may remain."
)
_EMPTY_WHEN_UNSET = frozenset(
    {
        ("bundle", "name"),
        *(("bundle", "git", key) for key in ("branch", "commit", "origin_url", "actual_branch")),
    }
)
"""Fields the CLI always has (typed, empty when the files leave them out): they resolve to ""."""
_LOOKED_UP = ("bundle", "workspace", "variables")
"""The sections references are looked up in (`${resources.…}` is left for deploy)."""
_LOOKED_UP_PATHS = {(key,) for key in _LOOKED_UP}
Deferred = Callable[[Path, Node | None], bool]
"""Decides whether a reference (as a path into the configuration) is left for deploy to fill."""


def parse_reference(text: str) -> Path:
    parts: list[str | int] = []
    for name, index in _PART.findall(text):
        parts.append(int(index) if index else name)
    return tuple(parts)


def references(text: str) -> list[str]:
    return [m.group(1) for m in REFERENCE.finditer(text)]


class _Cycle(Exception):
    def __init__(self, chain: list[str]) -> None:
        self.chain = chain


class Resolver:
    """Resolves every reference in `root` in place, collecting diagnostics instead of stopping."""

    def __init__(self, root: Node, deferred: Deferred, aliases: dict[str, Path] | None = None) -> None:
        self.root = root
        self.deferred = deferred
        self.aliases = aliases or {"var": ("variables",)}
        self.diags: list[Diagnostic] = []
        self._done: set[int] = set()
        self._reported: set[tuple[str, str]] = set()
        self._cycle_seen = False
        self._too_deep = False
        self._first_missing: tuple[str, Diagnostic] | None = None
        self._written: set[int] = {
            id(sub)
            for key in _LOOKED_UP
            if (section := root.get(key)) is not None
            for _, sub in walk(section)
            if isinstance(sub.value, str) and "${" in sub.value
        }
        """Values written as text holding a reference: what the CLI's first pass looks them up as."""
        self._first_pass = True

    def run(self, skip: tuple[str, ...] = ()) -> list[Diagnostic]:
        """Everything but the resources first, then the resources, as the CLI resolves them: an
        error in the first pass leaves the resources as written."""
        entries = [(key, child) for key, child in self.root.items() if key not in skip]
        for key, child in entries:
            if key != "resources":
                self._resolve_tree(child, (key,), [])
        self._first_pass = False
        if any(d.severity is Severity.ERROR for d in self.diags):
            return self.diags
        for key, child in entries:
            if key == "resources":
                self._resolve_tree(child, (key,), [])
        return self.diags

    def _resolve_tree(self, node: Node, path: Path, stack: list[str]) -> None:
        if id(node) in self._done:
            return
        for sub_path, sub in walk(node, path):
            if isinstance(sub.value, str) and "${" in sub.value and id(sub) not in self._done:
                self._resolve_string(sub, sub_path, stack)
                self._done.add(id(sub))
        self._done.add(id(node))

    def _resolve_string(self, node: Node, path: Path, stack: list[str]) -> None:
        """Resolve; a reference written inside another (`${var.a_${var.b}}`) resolves from the inside
        out, so the string is resolved again while it still holds such nesting."""
        for _ in range(MAX_CHAIN):
            text = node.value
            nested = text.count("${") > len(REFERENCE.findall(text))
            self._resolve_once(node, path, stack)
            after = node.value
            if not nested or after == text or not isinstance(after, str) or not REFERENCE.search(after):
                return
            if len(after) > MAX_TEXT:
                self._error("a reference expands to more than a million characters", node, path)
                return

    def _resolve_once(self, node: Node, path: Path, stack: list[str]) -> None:
        text = node.value
        whole = REFERENCE.fullmatch(text)
        if whole:
            target = self._target(whole.group(1), node, path, stack)
            if target is not None:
                replacement = target.copy()
                node.value = replacement.value
            return

        def substitute(match: re.Match[str]) -> str:
            target = self._target(match.group(1), node, path, stack)
            if target is None:
                return match.group(0)
            if not target.is_scalar:
                self._error(
                    f"cannot use ${{{match.group(1)}}} inside a longer string: it is a "
                    f"{'mapping' if target.is_map else 'sequence'}",
                    node,
                    path,
                )
                return match.group(0)
            return to_text(target.value)

        replaced = REFERENCE.sub(substitute, text)
        if len(replaced) > MAX_TEXT:  # references that double at each step would never end
            self._error("a reference expands to more than a million characters", node, path)
            return
        node.value = replaced

    def _target(self, ref: str, node: Node, path: Path, stack: list[str]) -> Node | None:
        """The fully resolved node a reference points at, or None when deferred or broken."""
        ref_path = self._expand(parse_reference(ref))
        target = lookup(self.root, ref_path)
        if self.deferred(ref_path, target):
            return None
        if target is None and ref_path in _EMPTY_WHEN_UNSET:
            return Node("", None)
        if ref_path[:1] in _LOOKED_UP_PATHS and (problem := self._cannot_index(ref_path)):
            if not any(d.summary == problem for d in self.diags):
                self.diags.append(Diagnostic(Severity.ERROR, problem))
            return None
        if target is None:
            self._missing(ref, ref_path, path)
            return None
        if ref in stack:
            if not target.is_scalar:
                # A value that holds a reference to itself (`a: {x: ${var.a}}`) would grow without
                # end: the CLI gives up after some rounds, with a warning, and so does brickyard.
                self._too_deep = True
                self._warn_too_deep()
                return None
            chain = [*stack[stack.index(ref) :], ref]
            if self._cycle_seen:  # one cycle is reported once, not from each of its members
                return None
            self._cycle_seen = True
            self.diags.append(
                Diagnostic(
                    Severity.ERROR,
                    "cycle detected in field resolution: " + " -> ".join([_cli_path(path), *chain]),
                )
            )
            return None
        if self._too_deep and not target.is_scalar and _holds_reference(target):
            return None
        if len(stack) >= MAX_CHAIN:
            self._error(f"references lead to references more than {MAX_CHAIN} deep at ${{{ref}}}", node, path)
            return None
        stack.append(ref)
        try:
            self._resolve_tree(target, ref_path, stack)
        finally:
            stack.pop()
        # A target that still holds a broken reference is left alone rather than copied half-done;
        # one deferred for deploy is passed on as written (`${var.job}` → `${resources.jobs.x.id}`).
        if isinstance(target.value, str) and (inner := REFERENCE.fullmatch(target.value)):
            inner_path = self._expand(parse_reference(inner.group(1)))
            return target if self.deferred(inner_path, lookup(self.root, inner_path)) else None
        return target

    def _cannot_index(self, ref_path: Path) -> str | None:
        """Why the path cannot be followed, in the CLI's words, when it indexes into a value that is
        not a mapping (or not a sequence); None when it can, or when only the last key is missing.
        In the first pass a value written as a reference is still that text, as the CLI sees it."""
        node = self.root
        for depth, part in enumerate(ref_path):
            value = node.value
            kind = "string" if self._first_pass and id(node) in self._written else _kind(value)
            where = format_path(ref_path[: depth + 1])
            if isinstance(part, str):
                if kind != "map":
                    return f'expected a map to index "{where}", found {kind}'
                child = node.get(part)
            else:
                if kind != "sequence":
                    return f'expected a sequence to index "{where}", found {kind}'
                if not 0 <= part < len(value):
                    return f'index out of bounds at "{where}"'
                child = value[part]
            if child is None:
                return None
            node = child
        return None

    def _expand(self, ref_path: Path) -> Path:
        head = ref_path[0] if ref_path else None
        if isinstance(head, str) and head in self.aliases:
            return (*self.aliases[head], *ref_path[1:2], "value", *ref_path[2:])
        return ref_path

    def _written_as(self, ref: str, expanded: Path) -> str:
        """`expanded` (a path `_expand` made) as a reference is written: `var.x.y`, not
        `variables.x.value.y`."""
        head = ref.split(".", 1)[0].split("[", 1)[0]
        alias = self.aliases.get(head)
        if alias is not None and expanded[: len(alias)] == alias:
            rest = expanded[len(alias) :]
            expanded = (head, *rest[:1], *rest[2:])
        return format_path(expanded)

    def _missing(self, ref: str, ref_path: Path, path: Path) -> None:
        """The CLI stops at the first reference (by configuration path) that names nothing, and
        suggests the names it may have meant; the message carries no location."""
        meant = [self._written_as(ref, close) for close in _suggestions(self.root, ref_path)]
        # No file is named; a reference to a resource still names the key that holds it.
        found = Diagnostic(
            Severity.ERROR,
            f"reference does not exist: ${{{ref}}}",
            format_path(path) if ref_path[:1] == ("resources",) else "",
            detail="did you mean:\n" + "\n".join(f"  ${{{m}}}" for m in meant) if meant else "",
        )
        where = format_path(path)
        if self._first_missing is None or where < self._first_missing[0]:
            if self._first_missing is not None:
                self.diags.remove(self._first_missing[1])
            self._first_missing = (where, found)
            self.diags.append(found)

    def unescape(self) -> None:
        """`$${x}` (or `\\${x}`) is written for a literal `${x}`: once everything is resolved, drop
        the escape."""
        for _, sub in walk(self.root, ()):
            if isinstance(sub.value, str) and ("$${" in sub.value or "\\${" in sub.value):
                sub.value = sub.value.replace("$${", "${").replace("\\${", "${")

    def _warn_too_deep(self) -> None:
        if not any(d.summary == TOO_DEEP for d in self.diags):
            self.diags.append(Diagnostic(Severity.WARNING, TOO_DEEP))

    def _error(self, summary: str, node: Node, path: Path) -> None:
        key = (summary, format_path(path))
        if key in self._reported:
            return
        self._reported.add(key)
        self.diags.append(Diagnostic(Severity.ERROR, summary, format_path(path), node.loc))


def _kind(value: object) -> str:
    """The kind of a value as the CLI names it in its messages."""
    if value is None:
        return "nil"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "sequence"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "string"


def _cli_path(path: Path) -> str:
    """Where a cycle starts, as the CLI names it: a variable by its `default`."""
    if len(path) >= 3 and path[0] == "variables" and path[2] == "value":
        return format_path(("variables", path[1], "default", *path[3:]))
    return format_path(path)


def _suggestions(root: Node, ref_path: Path) -> list[Path]:
    """The paths the reference may have meant: the first missing key replaced by each name beside
    it within two edits (sorted), the rest of the path as written."""
    node = root
    for depth, part in enumerate(ref_path):
        child = node.get(part) if node.is_map and isinstance(part, str) else None
        if child is None:
            if not node.is_map or not isinstance(part, str):
                return []
            close = sorted(name for name in node.value if _distance(part, name) <= 2)
            return [(*ref_path[:depth], name, *ref_path[depth + 1 :]) for name in close]
        node = child
    return []


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, small strings only."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _holds_reference(node: Node) -> bool:
    return any(isinstance(sub.value, str) and REFERENCE.search(sub.value) for _, sub in walk(node, ()))


def to_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and not math.isinf(value):
        return str(int(value))
    return str(value)
