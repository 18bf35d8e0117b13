"""`${…}` written in a way that is not a reference: the CLI leaves such text as it is and warns.

`${}` is empty, `${a.b` never closes, `${0a}` starts a key with a digit, `${a.b-}` is no path.
An escaped `$${…}` or `\\${…}` is literal text and not checked.
"""

from __future__ import annotations

import re

from brickyard.bundle.interpolate import REFERENCE
from brickyard.bundle.node import Node, format_path, walk
from brickyard.errors import Diagnostic, Severity

_OPEN = re.compile(r"(?<![$\\])\$\{")
_KEY = re.compile(r"^[^\W\d_]+(?:[-_]*[^\W_]+)*(?:\[\d+\])*$")
"""A key of a reference: letters first, then letters and digits, joined by `-` and `_`, then indexes."""


def check_reference_syntax(config: Node) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for path, node in walk(config, ()):
        if isinstance(node.value, str) and "${" in node.value:
            found.extend(
                Diagnostic(Severity.WARNING, summary, format_path(path), node.loc)
                for summary in _problems(node.value)
            )
    return found


def _problems(text: str) -> list[str]:
    out: list[str] = []
    for opening in _OPEN.finditer(text):
        start = opening.start()
        if REFERENCE.match(text, start):
            continue
        close = _closing(text, opening.end())
        if close is None:
            out.append("unterminated variable reference")
            continue
        body = text[opening.end() : close]
        if "${" in body:
            continue  # a reference written inside another resolves from the inside out
        if not body:
            out.append("empty variable reference")
        elif (bad := next((k for k in body.split(".") if k and not _KEY.match(k)), None)) is not None:
            out.append(f'invalid variable reference ${{{body}}}: invalid key "{bad.split("[")[0]}"')
        else:
            out.append(f"invalid variable reference ${{{body}}} at position {start}: invalid path")
    return out


def _closing(text: str, index: int) -> int | None:
    depth = 1
    while index < len(text):
        if text.startswith("${", index):
            depth += 1
            index += 2
            continue
        if text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None
