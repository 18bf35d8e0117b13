"""Parameter markers: `:name` (named) and `?` (positional), bound as SQL literals.

Databricks binds parameters server side; Sail refuses bound parameters in commands (`INSERT`,
`CREATE`), so markers are replaced by literals of the requested type instead: a string literal, or
`CAST('…' AS <type>)` for any other type, which also checks the value as Databricks does. Markers
inside quotes and comments, `::` casts and `col:field` JSON paths are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from brickyard.local.sql.errors import SqlError
from brickyard.local.sql.text import closing_quote, marker_at

_TYPE = re.compile(r"^[A-Za-z_]+( *\( *\d+ *(, *\d+ *)?\))?$")


@dataclass(frozen=True)
class Parameter:
    value: str | None
    type: str = "STRING"

    def literal(self) -> str:
        kind = (self.type or "STRING").strip().upper()
        if not _TYPE.match(kind):
            raise SqlError(f"Invalid parameter type {self.type!r}.", "INVALID_PARAMETER_VALUE", "22023")
        if self.value is None:
            return "NULL" if kind in ("STRING", "VOID") else f"CAST(NULL AS {kind})"
        quoted = "'" + self.value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return quoted if kind == "STRING" else f"CAST({quoted} AS {kind})"


def bind(statement: str, named: Mapping[str, Parameter], positional: Sequence[Parameter] = ()) -> str:
    """`statement` with every marker replaced by its parameter's literal; a named marker without a
    parameter is an error, a `?` is one only when positional parameters are given."""
    out: list[str] = []
    last = 0
    position = 0
    for start, end, name in markers(statement):
        if name is None and not positional:
            continue
        out.append(statement[last:start])
        if name is None:
            if position >= len(positional):
                raise SqlError(
                    "Found an unbound positional parameter marker (?).", "UNBOUND_SQL_PARAMETER", "42P02"
                )
            out.append(positional[position].literal())
            position += 1
        elif name in named:
            out.append(named[name].literal())
        else:
            raise SqlError(f"Found the unbound parameter: {name}.", "UNBOUND_SQL_PARAMETER", "42P02")
        last = end
    out.append(statement[last:])
    return "".join(out)


def markers(text: str) -> Iterator[tuple[int, int, str | None]]:
    """(start, end, name) of every marker; name None for `?`."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in ("'", '"', "`"):
            i = closing_quote(text, i)
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch == "?":
            yield i, i + 1, None
            i += 1
        elif ch == ":" and (name := marker_at(text, i)) is not None:
            yield i, i + 1 + len(name), name
            i += 1 + len(name)
        else:
            i += 1
