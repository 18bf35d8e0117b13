"""Limits on what a YAML file may ask of the loader, checked before and while it is read.

A bundle file is a few kilobytes and a few levels deep. A hostile or broken one can ask for much
more: a megabyte of nested `[[[[…`, which overflows the C parser's stack; aliases that expand to a
billion nodes; an anchor that contains itself. Each gets a clear error with its file and line,
found in time linear in the size of the file.
"""

from __future__ import annotations

from brickyard.errors import BundleError, Location

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 200
"""Nesting of mappings and sequences; real bundles stay under 20."""
MAX_ALIAS_NODES = 20_000
"""Nodes that aliases (`*name`, `<<: *name`) may add to a file, in total."""
_SCAN_DEPTH = 1000
"""The text scan only has to stop what the parser cannot survive; the exact depth check follows."""
_SCAN_FROM = 8_000
"""The C parser survives 20,000 levels, and each level takes at least one character."""


def check_text(text: str, display: str) -> None:
    """Size, and a linear scan for nesting deep enough to overflow a recursive parser."""
    if len(text) > MAX_BYTES:
        raise BundleError.at(
            f"{display} is too large to be a bundle configuration ({len(text)} bytes; the limit is "
            f"{MAX_BYTES} bytes)",
            Location(display, 1, 1),
        )
    if len(text) < _SCAN_FROM:
        return  # too short to nest deep enough to hurt the parser; the loader checks depth exactly
    line, depth = _deepest(text)
    if depth > _SCAN_DEPTH:
        raise BundleError.at(too_deep(depth), Location(display, line, 1))


def too_deep(depth: int) -> str:
    return f"YAML nesting is deeper than {MAX_DEPTH} levels ({depth} or more)"


def _deepest(text: str) -> tuple[int, int]:
    """(line, depth): block nesting by indentation and `- ` markers, plus flow nesting by brackets.

    An over-estimate (brackets inside quotes count, a block scalar's indentation counts) but never
    an under-estimate, which is what a guard in front of the parser needs.
    """
    indents: list[int] = []
    deepest, where, flow = 0, 1, 0
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(stripped)
        while indents and indents[-1] > indent:
            indents.pop()
        if not indents or indents[-1] < indent:
            indents.append(indent)
        dashes = 0
        while stripped.startswith(("- ", "-\t")) or stripped == "-":
            dashes += 1
            stripped = stripped[2:].lstrip()
        opened = flow
        for char in stripped if "[" in stripped or "{" in stripped or flow else ():
            if char in "[{":
                flow += 1
                opened = max(opened, flow)
            elif char in "]}" and flow:
                flow -= 1
        depth = len(indents) + dashes + opened
        if depth > deepest:
            deepest, where = depth, number
        if deepest > _SCAN_DEPTH:
            break
    return where, deepest
