"""A small SQL tokenizer: enough to split pipeline SQL into statements and find what they reference.

Pipeline SQL is Databricks SQL with pipeline extensions (`STREAM(…)`, `CONSTRAINT … EXPECT`, `APPLY
CHANGES INTO`) that no engine here parses, so brickyard reads the declarations itself and hands only
the queries to the engine, with dataset references rewritten. Tokens keep their character offsets,
so a rewrite replaces exact spans and leaves the rest of the user's text untouched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from brickyard.errors import PipelineError

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[A-Za-z]*")
_OPS = ("<=>", "=>", "<=", ">=", "<>", "!=", "==", "::", "||", "->", ">>", "<<")
_VARIABLE = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class Token:
    kind: str
    """ws, comment, string, word, qword (backquoted), number or op."""
    text: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""

    @property
    def significant(self) -> bool:
        return self.kind not in ("ws", "comment")

    @property
    def is_name(self) -> bool:
        return self.kind in ("word", "qword")

    @property
    def name(self) -> str:
        """The identifier's value (backquotes removed)."""
        if self.kind == "qword":
            return self.text[1:-1].replace("``", "`")
        return self.text


def tokenize(sql: str, file: str | None = None) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        start = i
        if char.isspace():
            while i < n and sql[i].isspace():
                i += 1
            tokens.append(Token("ws", sql[start:i], start, i))
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end
            tokens.append(Token("comment", sql[start:i], start, i))
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end < 0:
                raise _error(sql, start, "unterminated /* comment", file)
            i = end + 2
            tokens.append(Token("comment", sql[start:i], start, i))
        elif char in "'\"" or (char in "rR" and i + 1 < n and sql[i + 1] in "'\""):
            raw = char in "rR"
            quote_char = sql[i + 1] if raw else char
            i += 2 if raw else 1
            while i < n and sql[i] != quote_char:
                i += 2 if (sql[i] == "\\" and not raw) else 1
            if i >= n:
                raise _error(sql, start, "unterminated string", file)
            i += 1
            tokens.append(Token("string", sql[start:i], start, i))
        elif char == "`":
            i += 1
            while i < n:
                if sql[i] == "`":
                    if i + 1 < n and sql[i + 1] == "`":
                        i += 2
                        continue
                    break
                i += 1
            if i >= n:
                raise _error(sql, start, "unterminated `identifier`", file)
            i += 1
            tokens.append(Token("qword", sql[start:i], start, i))
        elif (match := _NUMBER.match(sql, i)) and (char.isdigit() or char == "."):
            i = match.end()
            tokens.append(Token("number", sql[start:i], start, i))
        elif match := _WORD.match(sql, i):
            i = match.end()
            tokens.append(Token("word", sql[start:i], start, i))
        else:
            op = next((op for op in _OPS if sql.startswith(op, i)), char)
            i += len(op)
            tokens.append(Token("op", op, start, i))
    return tokens


def significant(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.significant]


@dataclass(frozen=True)
class Statement:
    text: str
    line: int
    """1-based line of the statement's first token in its file."""


def split_statements(sql: str, file: str | None = None) -> list[Statement]:
    """Statements separated by `;`, without empty ones and without leading comments."""
    statements: list[Statement] = []
    current: list[Token] = []
    for token in [*tokenize(sql, file), Token("op", ";", len(sql), len(sql))]:
        if token.kind == "op" and token.text == ";":
            body = significant(current)
            if body:
                start, end = body[0].start, body[-1].end
                statements.append(Statement(sql[start:end], sql.count("\n", 0, start) + 1))
            current = []
        else:
            current.append(token)
    return statements


def substitute(sql: str, configuration: Mapping[str, str]) -> str:
    """`${key}` → the pipeline configuration's value; unknown keys stay as written."""
    return _VARIABLE.sub(lambda m: configuration.get(m.group(1).strip(), m.group(0)), sql)


def matching_paren(tokens: list[Token], index: int) -> int:
    """Index of the `)` closing the `(` at `index` (in a list of significant tokens)."""
    depth = 0
    for j in range(index, len(tokens)):
        if tokens[j].kind == "op" and tokens[j].text == "(":
            depth += 1
        elif tokens[j].kind == "op" and tokens[j].text == ")":
            depth -= 1
            if depth == 0:
                return j
    raise PipelineError(f"unbalanced parentheses near '{tokens[index].text}'")


def unquote_string(text: str) -> str:
    """The value of a SQL string literal token."""
    if text[:1] in "rR":
        return text[2:-1]
    body = text[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def _error(sql: str, offset: int, message: str, file: str | None) -> PipelineError:
    line = sql.count("\n", 0, offset) + 1
    where = f"{file}:{line}" if file else f"line {line}"
    return PipelineError(f"{where}: {message}", file=file)
