"""Pipeline SQL declarations: `CREATE … MATERIALIZED VIEW / STREAMING TABLE / VIEW`, `CREATE FLOW`,
`AUTO CDC INTO` / `APPLY CHANGES INTO` and `SET`, parsed into plain values.

Only the declaration around a query is parsed here; the query itself stays text and runs on the
engine later, after `sqlrefs` has rewritten its dataset references.
"""

from __future__ import annotations

from dataclasses import dataclass

from brickyard.errors import PipelineError
from brickyard.pipelines.graph import Action, DatasetKind, Expectation
from brickyard.pipelines.sqltokens import (
    Statement,
    Token,
    matching_paren,
    significant,
    tokenize,
    unquote_string,
)

_QUERY_START = {"SELECT", "WITH", "FROM", "VALUES", "TABLE"}


@dataclass
class SqlDataset:
    name: str
    kind: DatasetKind
    temporary: bool
    comment: str | None
    expectations: list[Expectation]
    query: str | None


@dataclass
class SqlFlow:
    name: str
    target: str
    query: str
    once: bool


@dataclass
class SqlCdc:
    name: str | None
    target: str
    source: str
    keys: list[str]
    sequence_by: str
    apply_as_deletes: str | None = None
    apply_as_truncates: str | None = None
    ignore_null_updates: bool = False
    column_list: list[str] | None = None
    except_column_list: list[str] | None = None
    scd_type: int = 1
    track_history_column_list: list[str] | None = None
    track_history_except_column_list: list[str] | None = None


@dataclass
class SqlSet:
    key: str
    value: str


Declaration = SqlDataset | SqlFlow | SqlCdc | SqlSet


@dataclass
class _Cursor:
    text: str
    tokens: list[Token]
    pos: int = 0
    where: str = ""

    def peek(self, offset: int = 0) -> Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def word(self, offset: int = 0) -> str:
        token = self.peek(offset)
        return token.upper if token is not None else ""

    def accept(self, *words: str) -> bool:
        if all(self.word(i) == w for i, w in enumerate(words)):
            self.pos += len(words)
            return True
        return False

    def expect(self, *words: str) -> None:
        if not self.accept(*words):
            got = self.peek()
            raise self.error(f"expected {' '.join(words)}, found {got.text if got else 'end of statement'!r}")

    def is_op(self, text: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == "op" and token.text == text

    def name(self) -> str:
        """A possibly qualified name: `a`, `a.b`, `` `a`.b.c ``, written back in dotted form."""
        parts: list[str] = []
        while True:
            token = self.peek()
            if token is None or not token.is_name:
                raise self.error(f"expected a name, found {token.text if token else 'end of statement'!r}")
            parts.append(token.text)
            self.pos += 1
            if not self.is_op("."):
                return ".".join(parts)
            self.pos += 1

    def rest(self) -> str:
        token = self.peek()
        return self.text[token.start :] if token is not None else ""

    def error(self, message: str) -> PipelineError:
        return PipelineError(f"{self.where}: {message}")


def parse_statement(statement: Statement, file: str) -> Declaration:
    tokens = significant(tokenize(statement.text, file))
    cursor = _Cursor(statement.text, tokens, where=f"{file}:{statement.line}")
    try:
        if cursor.accept("SET"):
            return _parse_set(cursor)
        if cursor.accept("CREATE"):
            if cursor.accept("FLOW"):
                return _parse_flow(cursor)
            return _parse_create(cursor)
        if cursor.accept("APPLY", "CHANGES", "INTO") or cursor.accept("AUTO", "CDC", "INTO"):
            return _parse_cdc(cursor, None)
    except PipelineError as exc:
        raise PipelineError(str(exc), file=file) from None
    first = " ".join(t.text for t in tokens[:3])
    raise PipelineError(
        f"{file}:{statement.line}: '{first} …' is not a pipeline statement; pipeline SQL files hold "
        "CREATE MATERIALIZED VIEW / STREAMING TABLE / VIEW / FLOW, AUTO CDC INTO and SET statements",
        file=file,
    )


def _parse_set(cursor: _Cursor) -> SqlSet:
    rest = cursor.rest()
    key, sep, value = rest.partition("=")
    if not sep or not key.strip():
        raise cursor.error("SET needs key = value")
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = unquote_string(value)
    return SqlSet(key.strip(), value)


def _parse_create(cursor: _Cursor) -> SqlDataset:
    cursor.accept("OR", "REFRESH") or cursor.accept("OR", "REPLACE")
    temporary = cursor.accept("TEMPORARY") or cursor.accept("PRIVATE") or cursor.accept("TEMP")
    if cursor.accept("MATERIALIZED", "VIEW"):
        kind = DatasetKind.MATERIALIZED_VIEW
    elif cursor.accept("STREAMING", "LIVE", "TABLE") or cursor.accept("STREAMING", "TABLE"):
        kind = DatasetKind.STREAMING_TABLE
    elif cursor.accept("LIVE", "TABLE") or cursor.accept("TABLE"):
        kind = DatasetKind.MATERIALIZED_VIEW
    elif cursor.accept("LIVE", "VIEW") or cursor.accept("VIEW"):
        kind = DatasetKind.VIEW
    else:
        raise cursor.error("expected MATERIALIZED VIEW, STREAMING TABLE or VIEW after CREATE")
    cursor.accept("IF", "NOT", "EXISTS")
    name = cursor.name()
    expectations: list[Expectation] = []
    if cursor.is_op("("):
        end = matching_paren(cursor.tokens, cursor.pos)
        expectations = _parse_elements(cursor, cursor.pos + 1, end)
        cursor.pos = end + 1
    comment: str | None = None
    query: str | None = None
    while (token := cursor.peek()) is not None:
        if token.upper == "COMMENT" and (nxt := cursor.peek(1)) is not None and nxt.kind == "string":
            comment = unquote_string(nxt.text)
            cursor.pos += 2
        elif token.upper == "AS" and (cursor.word(1) in _QUERY_START or cursor.is_op("(", 1)):
            cursor.pos += 1
            query = cursor.rest()
            break
        elif token.kind == "op" and token.text == "(":
            cursor.pos = matching_paren(cursor.tokens, cursor.pos) + 1
        else:
            cursor.pos += 1
    if query is None and kind is not DatasetKind.STREAMING_TABLE:
        raise cursor.error(f"{kind.value.lower().replace('_', ' ')} '{name}' needs AS <query>")
    return SqlDataset(name, kind, temporary, comment, expectations, query or None)


def _parse_elements(cursor: _Cursor, start: int, end: int) -> list[Expectation]:
    """The `( … )` after a dataset name: column definitions (ignored) and CONSTRAINT … EXPECT."""
    expectations: list[Expectation] = []
    element: list[int] = []
    depth = 0
    for index in range(start, end + 1):
        token = cursor.tokens[index]
        if index == end or (depth == 0 and token.kind == "op" and token.text == ","):
            if element:
                expectation = _parse_constraint(cursor, element[0], element[-1])
                if expectation is not None:
                    expectations.append(expectation)
            element = []
            continue
        if token.kind == "op" and token.text == "(":
            depth += 1
        elif token.kind == "op" and token.text == ")":
            depth -= 1
        element.append(index)
    return expectations


def _parse_constraint(cursor: _Cursor, first: int, last: int) -> Expectation | None:
    tokens = cursor.tokens
    if tokens[first].upper != "CONSTRAINT" or first + 2 > last or tokens[first + 2].upper != "EXPECT":
        return None
    name = tokens[first + 1].name
    open_index = first + 3
    if open_index > last or tokens[open_index].text != "(":
        raise cursor.error(f"constraint {name}: expected EXPECT (<condition>)")
    close = matching_paren(tokens, open_index)
    condition = cursor.text[tokens[open_index].end : tokens[close].start].strip()
    rest = " ".join(t.upper for t in tokens[close + 1 : last + 1])
    action: Action = "warn"
    if rest == "ON VIOLATION DROP ROW":
        action = "drop"
    elif rest == "ON VIOLATION FAIL UPDATE":
        action = "fail"
    elif rest:
        raise cursor.error(
            f"constraint {name}: expected ON VIOLATION DROP ROW or FAIL UPDATE, found '{rest}'"
        )
    return Expectation(name, condition, action)


def _parse_flow(cursor: _Cursor) -> SqlFlow | SqlCdc:
    name = cursor.name()
    if cursor.accept("COMMENT"):
        cursor.pos += 1
    cursor.expect("AS")
    if cursor.accept("AUTO", "CDC", "INTO") or cursor.accept("APPLY", "CHANGES", "INTO"):
        return _parse_cdc(cursor, name)
    cursor.expect("INSERT", "INTO")
    once = cursor.accept("ONCE")
    target = cursor.name()
    cursor.accept("BY", "NAME")
    query = cursor.rest()
    if not query:
        raise cursor.error(f"flow {name} needs a query after INSERT INTO {target}")
    return SqlFlow(name, target, query, once)


_CDC_CLAUSES: list[tuple[str, ...]] = [
    ("KEYS",),
    ("IGNORE", "NULL", "UPDATES"),
    ("APPLY", "AS", "DELETE", "WHEN"),
    ("APPLY", "AS", "TRUNCATE", "WHEN"),
    ("SEQUENCE", "BY"),
    ("COLUMNS",),
    ("STORED", "AS"),
    ("TRACK", "HISTORY", "ON"),
]


def _parse_cdc(cursor: _Cursor, name: str | None) -> SqlCdc:
    target = cursor.name()
    cursor.expect("FROM")
    if cursor.accept("STREAM"):
        if cursor.is_op("("):
            cursor.pos += 1
            source = cursor.name()
            if not cursor.is_op(")"):
                raise cursor.error("expected ) after STREAM(<source>")
            cursor.pos += 1
        else:
            source = cursor.name()
    else:
        source = cursor.name()
    clauses = _split_clauses(cursor)
    if "KEYS" not in clauses or "SEQUENCE BY" not in clauses:
        raise cursor.error(f"AUTO CDC INTO {target} needs KEYS (…) and SEQUENCE BY")
    spec = SqlCdc(
        name=name,
        target=target,
        source=source,
        keys=_name_list(cursor, clauses["KEYS"]),
        sequence_by=clauses["SEQUENCE BY"],
        apply_as_deletes=clauses.get("APPLY AS DELETE WHEN"),
        apply_as_truncates=clauses.get("APPLY AS TRUNCATE WHEN"),
        ignore_null_updates="IGNORE NULL UPDATES" in clauses,
    )
    if "COLUMNS" in clauses:
        spec.column_list, spec.except_column_list = _column_choice(cursor, clauses["COLUMNS"])
    if "TRACK HISTORY ON" in clauses:
        spec.track_history_column_list, spec.track_history_except_column_list = _column_choice(
            cursor, clauses["TRACK HISTORY ON"]
        )
    if "STORED AS" in clauses:
        stored = clauses["STORED AS"].upper().split()
        if stored[:2] != ["SCD", "TYPE"] or stored[2:] not in (["1"], ["2"]):
            raise cursor.error("expected STORED AS SCD TYPE 1 or SCD TYPE 2")
        spec.scd_type = int(stored[2])
    return spec


def _split_clauses(cursor: _Cursor) -> dict[str, str]:
    """The text of each CDC clause, keyed by its keywords; clauses may come in any order."""
    found: list[tuple[str, int, int]] = []
    depth = 0
    index = cursor.pos
    tokens = cursor.tokens
    while index < len(tokens):
        token = tokens[index]
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth == 0:
            for words in _CDC_CLAUSES:
                if all(index + i < len(tokens) and tokens[index + i].upper == w for i, w in enumerate(words)):
                    found.append((" ".join(words), index, index + len(words)))
                    index += len(words) - 1
                    break
        index += 1
    if found and found[0][1] != cursor.pos:
        raise cursor.error(f"unexpected '{tokens[cursor.pos].text}' in AUTO CDC INTO")
    clauses: dict[str, str] = {}
    for i, (key, _, body_start) in enumerate(found):
        body_end = found[i + 1][1] if i + 1 < len(found) else len(tokens)
        if body_start >= body_end:
            clauses[key] = ""
            continue
        clauses[key] = cursor.text[tokens[body_start].start : tokens[body_end - 1].end].strip()
    return clauses


def _name_list(cursor: _Cursor, text: str) -> list[str]:
    body = text.strip()
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1]
    names = []
    for token in significant(tokenize(body)):
        if token.is_name:
            names.append(token.name)
        elif not (token.kind == "op" and token.text == ","):
            raise cursor.error(f"expected a list of column names, found '{text}'")
    if not names:
        raise cursor.error("expected at least one column name")
    return names


def _column_choice(cursor: _Cursor, text: str) -> tuple[list[str] | None, list[str] | None]:
    """`* EXCEPT (a, b)` → (None, [a, b]); `a, b` → ([a, b], None)."""
    stripped = text.strip()
    if stripped.startswith("*"):
        rest = stripped[1:].strip()
        if not rest:
            return None, None
        if not rest.upper().startswith("EXCEPT"):
            raise cursor.error(f"expected * EXCEPT (…), found '{text}'")
        return None, _name_list(cursor, rest[len("EXCEPT") :])
    return _name_list(cursor, stripped), None
