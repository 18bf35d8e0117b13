"""Reading SQL text without parsing it: where a quoted part ends, and what a `:name` marker names.

Shared by parameter binding (`params`), the SQL file and notebook runners (`tasks.sql`) and the
rewrites for the local engine (`tasks.sqlrewrite`), so all three agree on what is code and what is a
string, an identifier in backticks or a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SELECT = re.compile(r"\bSELECT\b", re.I)
_FROM = re.compile(r"\bFROM\b", re.I)
NAME_PART = r"(?:`(?:[^`]|``)*`|[\w$]+)"
"""One part of a name, as a pattern: a plain word or anything in backticks (`` `` `` is a backtick)."""
NAME = rf"{NAME_PART}(?:\s*\.\s*{NAME_PART})*"
"""A name of one or more parts (`cat.`my schema`.t`), as a pattern."""
_PART = re.compile(r"`((?:[^`]|``)*)`|([^.`\s]+)")


def quote(name: str) -> str:
    """One name part in backticks, its own backticks doubled."""
    return "`" + name.replace("`", "``") + "`"


def split_name(name: str) -> list[str]:
    """`a.`b.c`` → ["a", "b.c"]: the parts of a name, unquoted."""
    return [
        m.group(1).replace("``", "`") if m.group(1) is not None else m.group(2) for m in _PART.finditer(name)
    ]


def closing_quote(text: str, start: int) -> int:
    """The index just past the quoted part opening at `start` (`'…'`, `"…"` or `` `…` ``)."""
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\" and quote != "`":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return len(text)


def unquoted(text: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """Each character of `text` from `start` outside quoted parts: its index, itself, and the
    parenthesis depth once it is read (a `(` at depth 0 gives 1, its `)` gives 0 again)."""
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch in "'\"`":
            i = closing_quote(text, i)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        yield i, ch, depth
        i += 1


def code_spans(text: str) -> list[tuple[int, int]]:
    """The parts of `text` outside string literals and comments."""
    spans, start, i = [], 0, 0
    while i < len(text):
        if text[i] in "'\"":
            spans.append((start, i))
            i = start = closing_quote(text, i)
        elif text.startswith("--", i):
            spans.append((start, i))
            end = text.find("\n", i)
            i = start = len(text) if end < 0 else end
        elif text.startswith("/*", i):
            spans.append((start, i))
            end = text.find("*/", i + 2)
            i = start = len(text) if end < 0 else end + 2
        else:
            i += 1
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if b > a]


def closing_paren(text: str, open_at: int) -> int:
    """The index of the `)` that closes the `(` at `open_at`, skipping quoted parts; the text's
    length when it is never closed."""
    return next((i for i, ch, depth in unquoted(text, open_at) if ch == ")" and depth == 0), len(text))


def split_top_level(text: str) -> list[str]:
    """`text` split at the commas outside parentheses and quoted parts."""
    cuts = [i for i, ch, depth in unquoted(text) if ch == "," and depth == 0]
    return [text[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(text)], strict=True)]


def marker_at(text: str, i: int) -> str | None:
    """The parameter name of a `:name` marker whose colon is at `i`, or None when it is not one."""
    before = text[i - 1] if i > 0 else " "
    if before == ":" or before.isalnum() or before in "_])`'\"":
        return None  # `a::int` casts and `col:field` JSON paths are not markers
    match = IDENT.match(text, i + 1)
    return match.group(0) if match else None


def masked(text: str) -> str:
    """`text` with string literals and comments blanked out, same length, so positions agree."""
    chars = [" "] * len(text)
    for start, stop in code_spans(text):
        chars[start:stop] = text[start:stop]
    return "".join(chars)


def enclosing_select(code: str, at: int) -> int | None:
    """Where the list of the SELECT that `at` belongs to starts (just after the keyword)."""
    depth = 0
    for i in range(at - 1, -1, -1):
        ch = code[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            depth -= 1
            if depth < 0:
                return None
        elif (
            depth == 0
            and ch in "sS"
            and (match := _SELECT.match(code, i))
            and (i == 0 or not word_char(code[i - 1]))
        ):
            return match.end()
    return None


def select_list_end(code: str, start: int, limit: int) -> int:
    """The end of the SELECT list: its `FROM` at the same depth (or `limit` without one)."""
    return top_level_match(code, start, limit, _FROM)


def top_level_match(code: str, start: int, limit: int, pattern: re.Pattern[str]) -> int:
    """Where `pattern` first matches a word of `code` at the parenthesis depth of `start`, or where
    that depth closes (`)`), or `limit`."""
    depth = 0
    for i in range(start, limit):
        ch = code[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return i
        elif (
            depth == 0
            and (i == 0 or not (word_char(ch) and word_char(code[i - 1])))
            and pattern.match(code, i)
        ):
            return i  # a word is matched from its start, never from inside it
    return limit


def word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_`$"
