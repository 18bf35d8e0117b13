"""Finding and rewriting the table references in a pipeline query.

A pipeline query names datasets (`orders`, `LIVE.orders`, `STREAM(orders)`, `STREAM orders`) and
file sources (`read_files(…)`, `cloud_files(…)`) that the engine does not know as such. Each
reference in a table position (after FROM or JOIN, or in a FROM list) is handed to a resolver that
returns the SQL to put in its place (a temporary view holding exactly the rows this flow should see)
or None to leave it alone (an ordinary table outside the pipeline). Column qualifiers keep working:
a replaced reference without an alias gets its old name as alias.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from brickyard.pipelines.sqltokens import Token, matching_paren, significant, tokenize

FILE_FUNCTIONS = {"read_files", "cloud_files"}
_FROM_FUNCTIONS = {"EXTRACT", "TRIM", "SUBSTRING", "SUBSTR", "OVERLAY", "POSITION"}

_ENDS_FROM = {
    "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "WINDOW", "QUALIFY", "UNION", "EXCEPT", "INTERSECT",
    "MINUS", "SELECT", "ON", "USING", "CLUSTER", "DISTRIBUTE", "SORT", "PIVOT", "UNPIVOT", "OFFSET",
}  # fmt: skip
_NOT_ALIAS = _ENDS_FROM | {
    "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS", "OUTER", "SEMI", "ANTI", "NATURAL", "LATERAL",
    "TABLESAMPLE", "VERSION", "TIMESTAMP", "FOR", "WATERMARK", "FROM", "INSERT", "VALUES", "WITH",
}  # fmt: skip


@dataclass(frozen=True)
class TableRef:
    """One reference: a (possibly qualified) name, or a file-reading function call."""

    name: str | None
    """Dotted name as written (`LIVE.orders`, `main.sales.orders`), or None for a function."""
    function: str | None
    """`read_files` or `cloud_files` when the reference is a file source."""
    arguments: str
    """The function's argument text, without the parentheses."""
    stream: bool
    has_alias: bool
    start: int
    end: int

    @property
    def alias(self) -> str:
        if self.name is None:
            return ""
        return self.name.split(".")[-1]


Resolver = Callable[[TableRef], "str | None"]


def find_refs(sql: str) -> list[TableRef]:
    tokens = significant(tokenize(sql))
    ctes = _cte_names(tokens)
    refs: list[TableRef] = []
    in_from: dict[int, bool] = {}
    callers: list[str] = []
    depth = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "op" and token.text == "(":
            depth += 1
            callers.append(tokens[index - 1].upper if index else "")
        elif token.kind == "op" and token.text == ")":
            in_from.pop(depth, None)
            depth -= 1
            if callers:
                callers.pop()
        elif token.upper == "FROM" and callers and callers[-1] in _FROM_FUNCTIONS:
            pass  # EXTRACT(YEAR FROM ts), TRIM(x FROM y): not a table position
        elif token.upper in ("FROM", "JOIN") or (token.text == "," and in_from.get(depth)):
            in_from[depth] = True
            ref, after = _table_item(sql, tokens, index + 1, ctes)
            if ref is not None:
                refs.append(ref)
                index = after
                continue
        elif token.upper in _ENDS_FROM:
            in_from[depth] = False
        elif _starts_reference(tokens, index):
            ref, after = _table_item(sql, tokens, index, ctes)
            if ref is not None:
                refs.append(ref)
                index = after
                continue
        index += 1
    return refs


def rewrite(sql: str, resolve: Resolver) -> str:
    """`sql` with every reference the resolver answers for replaced by its answer."""
    pieces: list[str] = []
    last = 0
    for ref in find_refs(sql):
        replacement = resolve(ref)
        if replacement is None:
            continue
        if not ref.has_alias and ref.alias:
            replacement = f"{replacement} AS `{ref.alias.strip('`')}`"
        pieces.append(sql[last : ref.start])
        pieces.append(replacement)
        last = ref.end
    pieces.append(sql[last:])
    return "".join(pieces)


def _starts_reference(tokens: list[Token], index: int) -> bool:
    """`STREAM(` or `LIVE.` outside a FROM list (in a subquery expression, say)."""
    token = tokens[index]
    if token.upper == "STREAM":
        return index + 1 < len(tokens) and tokens[index + 1].text == "("
    return token.upper == "LIVE" and _is_dot(tokens, index + 1)


def _is_dot(tokens: list[Token], index: int) -> bool:
    return index < len(tokens) and tokens[index].kind == "op" and tokens[index].text == "."


def _table_item(sql: str, tokens: list[Token], index: int, ctes: set[str]) -> tuple[TableRef | None, int]:
    if index >= len(tokens):
        return None, index
    start = tokens[index].start
    stream = False
    close: int | None = None
    if tokens[index].upper == "STREAM" and index + 1 < len(tokens):
        if tokens[index + 1].text == "(":
            close = matching_paren(tokens, index + 1)
            stream, index = True, index + 2
        elif tokens[index + 1].is_name:
            stream, index = True, index + 1
    token = tokens[index] if index < len(tokens) else None
    if token is None or not token.is_name:
        return None, index
    if token.text.lower() in FILE_FUNCTIONS and index + 1 < len(tokens) and tokens[index + 1].text == "(":
        call_end = matching_paren(tokens, index + 1)
        arguments = sql[tokens[index + 1].end : tokens[call_end].start]
        end_index = close if close is not None else call_end
        function = token.text.lower()
        ref = TableRef(
            None,
            function,
            arguments,
            stream or function == "cloud_files",
            _has_alias(tokens, end_index + 1),
            start,
            tokens[end_index].end,
        )
        return ref, end_index + 1
    parts = [token.text]
    last = index
    while _is_dot(tokens, last + 1) and last + 2 < len(tokens) and tokens[last + 2].is_name:
        parts.append(tokens[last + 2].text)
        last += 2
    if last + 1 < len(tokens) and tokens[last + 1].text == "(":
        return None, index  # a table-valued function such as range(10)
    if len(parts) == 1 and token.name.lower() in ctes:
        return None, index
    end_index = last
    if close is not None:
        if close != last + 1:
            return None, index  # STREAM(<something that is not a plain name>)
        end_index = close
    name = ".".join(parts)
    ref = TableRef(name, None, "", stream, _has_alias(tokens, end_index + 1), start, tokens[end_index].end)
    return ref, end_index + 1


def _has_alias(tokens: list[Token], index: int) -> bool:
    if index >= len(tokens):
        return False
    token = tokens[index]
    if token.kind == "qword":
        return True
    return token.kind == "word" and (token.upper == "AS" or token.upper not in _NOT_ALIAS)


def _cte_names(tokens: list[Token]) -> set[str]:
    """Names bound by WITH clauses, which shadow datasets of the same name."""
    names: set[str] = set()
    for index, token in enumerate(tokens):
        if token.upper != "AS" or index == 0 or index + 1 >= len(tokens) or tokens[index + 1].text != "(":
            continue
        previous = tokens[index - 1]
        before = tokens[index - 2] if index >= 2 else None
        if (
            previous.is_name
            and before is not None
            and (before.upper in ("WITH", "RECURSIVE") or before.text == ",")
        ):
            names.add(previous.name.lower())
    return names
