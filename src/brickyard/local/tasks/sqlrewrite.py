"""Databricks SQL that the local engine does not parse, rewritten to what it does.

Rewrites are made only where the meaning is kept:

- `IDENTIFIER('a' || '.' || :schema)`, with its parameters filled in, becomes the quoted name
  `` `a`.`schema` `` (Sail parses no IDENTIFIER clause);
- informational constraints (`CONSTRAINT pk PRIMARY KEY (id)`, `FOREIGN KEY … REFERENCES …`, and a
  column's own `PRIMARY KEY`) are dropped from `CREATE TABLE`: Databricks does not enforce them;
- `CREATE [OR REFRESH] MATERIALIZED VIEW` / `STREAMING TABLE` outside a pipeline becomes
  `CREATE OR REPLACE TABLE … AS`, and `STREAM(t)` / `STREAM t` reads `t`: what the statement
  leaves behind (a table holding the query's rows) is the same, refreshed by running it again;
- a table's liquid clustering (`CLUSTER BY`) and the Delta table features the engine's writer
  lacks (change data feed, row tracking) are left out, and `CREATE OR REPLACE TABLE … AS` may
  change the table's columns (see `table_options`);
- `GROUP BY ALL` becomes the positions it stands for (`group_by_all`), `SELECT * EXCEPT (…)` the
  columns it stands for (`star_except`), and `INSERT INTO t (some columns) VALUES` the whole row
  (`insert_columns`);
- named arguments of `spark.sql(query, args={…})` become literals, since Sail binds parameters in
  queries but not in commands (`CREATE`, `INSERT`);
- in a task, `read_files(…)` / `cloud_files(…)` read the files into a temporary view (`file_functions`).

Anything else goes to the engine unchanged; when it cannot parse a statement, `engine_limit_note`
says that this is a limit of the local engine rather than an error in the user's SQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from brickyard.local.sql import unity_sql
from brickyard.local.sql.group_by_all import expand_group_by_all
from brickyard.local.sql.insert_columns import fill_insert_columns, table_schema
from brickyard.local.sql.star_except import engine_columns, expand_star_except
from brickyard.local.sql.text import closing_paren, code_spans, split_top_level
from brickyard.local.tasks.table_options import check_not_null, not_null_column, rewrite_table_options

if TYPE_CHECKING:
    from brickyard.local.sql.unity_sql import Api
    from brickyard.local.tasks.paths import Locations

_IDENTIFIER = re.compile(r"\bIDENTIFIER\s*\(", re.I)
_CONSTRAINT = re.compile(
    r"\bCONSTRAINT\s+[`\w]+\s+(PRIMARY\s+KEY|FOREIGN\s+KEY)\b|\b(PRIMARY\s+KEY|FOREIGN\s+KEY)\s*\(", re.I
)
_COLUMN_KEY = re.compile(r"\s+PRIMARY\s+KEY\b(\s+(NOT\s+ENFORCED|RELY|NORELY))*", re.I)
_DATASET = re.compile(
    r"^\s*CREATE\s+(?:OR\s+(?:REFRESH|REPLACE)\s+)?(?:MATERIALIZED\s+VIEW|STREAMING\s+TABLE)\s+"
    r"(IF\s+NOT\s+EXISTS\s+)?",
    re.I,
)
_USE = re.compile(r"^USE\s+(?:(CATALOG|SCHEMA|DATABASE|NAMESPACE)\s+)?([`\w][^;]*?)\s*$", re.I | re.S)
"""`USE a.b`, `USE b`, `USE SCHEMA a.b`: the engine takes neither a bare `USE` nor a catalog in it."""
_STREAM = re.compile(r"\b(FROM|JOIN)\s+STREAM\s*(?:\(\s*([`\w.]+)\s*\)|\s([`\w.]+))", re.I)
_TABLE_OPTIONS = re.compile(
    r"\bCLUSTER\s+BY\b|\bdelta\.enable(ChangeDataFeed|RowTracking)\b|\bCOMMENT\b|\bSET\s+NOT\s+NULL\b"
    r"|\bREPLACE\s+TABLE\b",
    re.I,
)
_CREATE_TABLE = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TABLE\b", re.I)
_storage: list[Locations] = []
"""The running task's locations, once `install_sql_rewrite` is given them."""
_api: list[Api] = []
"""The workspace's API as the running task reaches it, once `install_sql_rewrite` is given it."""
_MARKER = re.compile(r"(?<![:\w\]\)`'\"]):([A-Za-z_]\w*)")
_PARSE_ERROR = re.compile(
    r"invalid argument: found .* expected|not (yet )?(supported|implemented)|streaming query must write data",
    re.I,
)


def rewrite(statement: str, args: Mapping[str, Any] | None = None, table_options: bool = True) -> str:
    """`statement` as the engine takes it; `table_options=False` leaves the table options to the
    caller (the warehouses' SQL layer rewrites them itself, after checking a `SET NOT NULL`)."""
    if args:
        statement = _map_code(statement, lambda code: _MARKER.sub(lambda m: _arg(m, args), code))
    if "identifier" in statement.lower():
        statement = _identifiers(statement)
    statement = expand_group_by_all(statement)
    if (match := _DATASET.match(statement)) is not None:
        head = "CREATE TABLE IF NOT EXISTS " if match.group(1) else "CREATE OR REPLACE TABLE "
        statement = head + _map_code(statement[match.end() :], _unstream)
    if _CREATE_TABLE.match(statement) and re.search(r"\bKEY\b", statement, re.I):
        statement = _drop_constraints(statement)
    if table_options and _TABLE_OPTIONS.search(statement):
        statement = rewrite_table_options(statement)
    return statement


def engine_limit_note(error: BaseException) -> str | None:
    """A note for an error that comes from the local engine not knowing a construct."""
    message = str(error)
    note = (
        "the local Spark engine (Sail) does not support this construct; it is a limit of the local "
        "workspace, not necessarily an error on Databricks"
    )
    if not _PARSE_ERROR.search(message) or note in getattr(error, "__notes__", ()):
        return None  # not the engine's limit, or said already (by the layer below)
    return note


def _arg(match: re.Match[str], args: Mapping[str, Any]) -> str:
    name = match.group(1)
    return literal(args[name]) if name in args else match.group(0)


def literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def _identifiers(statement: str) -> str:
    out: list[str] = []
    i = 0
    for start, end in code_spans(statement):
        segment = statement[start:end]
        for match in _IDENTIFIER.finditer(segment):
            open_at = start + match.end() - 1
            if open_at < i:
                continue
            close = closing_paren(statement, open_at)
            name = _constant_string(statement[open_at + 1 : close])
            if name is None:
                continue
            out.append(statement[i : start + match.start()])
            out.append(".".join(f"`{part.strip('`')}`" for part in name.split(".")))
            i = close + 1
    out.append(statement[i:])
    return "".join(out)


def _constant_string(expression: str) -> str | None:
    """The value of `'a' || 'b'` (string literals joined by ||); None for anything else."""
    parts = re.split(r"\|\|", expression)
    values = []
    for part in parts:
        part = part.strip()
        if len(part) < 2 or part[0] not in "'\"" or part[-1] != part[0]:
            return None
        values.append(part[1:-1].replace("\\'", "'"))
    return "".join(values)


def _drop_constraints(statement: str) -> str:
    open_at = statement.find("(")
    if open_at < 0:
        return statement
    close = closing_paren(statement, open_at)
    elements = split_top_level(statement[open_at + 1 : close])
    kept = []
    for element in elements:
        if _CONSTRAINT.match(element.strip()):
            continue
        kept.append(_COLUMN_KEY.sub("", element))
    return statement[: open_at + 1] + ",".join(kept) + statement[close:]


def _unstream(code: str) -> str:
    return _STREAM.sub(lambda m: f"{m.group(1)} {m.group(2) or m.group(3)}", code)


def _map_code(text: str, change: Any) -> str:
    """`text` with `change` applied to its code (not to its string literals and comments)."""
    out, last = [], 0
    for start, end in code_spans(text):
        out.append(text[last:start])
        out.append(change(text[start:end]))
        last = end
    out.append(text[last:])
    return "".join(out)


def install_sql_rewrite(locations: Locations | None = None, api: Api | None = None) -> None:
    """Route `spark.sql` of user code through `rewrite` (patched once per process); with the
    task's `locations`, file functions read the workspace's storage (`file_functions`); with the
    workspace's `api`, Unity Catalog statements the engine lacks are carried out (`unity_sql`)."""
    import functools

    from pyspark.sql.connect.session import SparkSession

    from brickyard.local.sql.compat import head

    _storage[:] = [locations] if locations is not None else []
    _api[:] = [api] if api is not None else []
    original = SparkSession.sql
    if getattr(original, "__brickyard_sql__", False):
        return

    @functools.wraps(original)
    def sql(self: Any, sqlQuery: str, args: Any = None, **kwargs: Any) -> Any:
        if isinstance(args, Mapping):
            sqlQuery, args = rewrite(sqlQuery, args), None
        elif isinstance(sqlQuery, str):
            text = head(sqlQuery)
            if _use(self, text) or _unity_statement(self, text):
                return original(self, "SELECT 1 AS ok WHERE false")  # a command: no rows
            if (history := _history(self, text)) is not None:
                return history
            if (column := not_null_column(sqlQuery)) is not None:
                check_not_null(lambda query: original(self, query), *column)
            sqlQuery = expand_star_except(
                rewrite(sqlQuery), engine_columns(lambda query: original(self, query))
            )
            sqlQuery = fill_insert_columns(sqlQuery, lambda name: table_schema(self, name))
        if _storage and isinstance(sqlQuery, str):
            from brickyard.local.tasks.file_functions import with_file_views

            sqlQuery = with_file_views(self, sqlQuery, _storage[0])
        try:
            return original(self, sqlQuery, args, **kwargs)
        except Exception as exc:
            if (note := engine_limit_note(exc)) is not None:
                exc.add_note(note)
            raise

    sql.__brickyard_sql__ = True  # type: ignore[attr-defined]
    SparkSession.sql = sql  # type: ignore[method-assign]
    _note_engine_limits()


def _history(session: Any, text: str) -> Any:
    """`DESCRIBE HISTORY t [LIMIT n]` from the table's Delta log; None for other statements.
    `text` is the statement without its leading comments (`compat.head`), as for the two below."""
    from brickyard.local.tasks import delta_history

    match = delta_history.HISTORY.match(text)
    if match is None:
        return None
    translate: Callable[[str], str] = str
    if _storage:
        from brickyard.local.tasks.spark_paths import translate_path

        locations = _storage[0]
        translate = lambda path: translate_path(locations, path)  # noqa: E731
    limit = int(match.group(2)) if match.group(2) else None
    return delta_history.describe_history(session, match.group(1), limit, translate)


def _use(session: Any, text: str) -> bool:
    """`USE [SCHEMA] [catalog.]schema` / `USE CATALOG c` through the session's catalog; False if
    `text` is not a `USE` the engine would refuse."""
    match = _USE.match(text)
    if match is None or "(" in match.group(2):
        return False
    names = unity_sql.parts(match.group(2))
    kind = (match.group(1) or "").upper()
    if kind == "CATALOG" and len(names) == 1:
        session.catalog.setCurrentCatalog(names[0])
    elif kind != "CATALOG" and len(names) in (1, 2):
        if len(names) == 2:
            session.catalog.setCurrentCatalog(names[0])
        session.catalog.setCurrentDatabase(names[-1])
    else:
        return False
    return True


def _unity_statement(session: Any, text: str) -> bool:
    """Carry out a Unity Catalog or maintenance statement the engine does not parse; False if
    `text` is not one."""
    if not (unity_sql.NO_EFFECT.match(text) or unity_sql.CREATES.match(text)):
        return False
    catalog = schema = ""
    if unity_sql.CREATES.match(text):
        catalog, schema = session.catalog.currentCatalog(), session.catalog.currentDatabase()

    def engine_schemas(in_catalog: str) -> set[str]:
        from brickyard.local.runs.catalog import shown_name

        return {
            shown_name(row[0]).lower() for row in session.sql(f"SHOW SCHEMAS IN `{in_catalog}`").collect()
        }

    return unity_sql.handle(text, catalog, schema, _api[0] if _api else None, engine_schemas)


def _note_engine_limits() -> None:
    """Streaming writes the engine cannot make: file sources with a batch trigger run as
    incremental batches (`streams`); the others fail with a note naming the engine's limit."""
    from pyspark.sql.connect.streaming.readwriter import DataStreamWriter

    original = DataStreamWriter._start_internal
    if getattr(original, "__brickyard_sql__", False):
        return

    def start(self: Any, *args: Any, **kwargs: Any) -> Any:
        from brickyard.local.tasks.streams import as_batches, configure

        configure(self, *args, **kwargs)
        finished = as_batches(self)
        if finished is not None:
            return finished
        try:
            return original(self, *args, **kwargs)
        except Exception as exc:
            if (note := engine_limit_note(exc)) is None:
                raise
            exc.add_note(
                note + " (streaming writes run locally only from file sources with "
                "trigger(availableNow=True) or trigger(once=True); use a pipeline, or a batch write)"
            )
            raise

    start.__brickyard_sql__ = True  # type: ignore[attr-defined]
    DataStreamWriter._start_internal = start  # type: ignore[method-assign]
    foreach_batch = DataStreamWriter.foreachBatch

    def each_batch(self: Any, func: Any) -> Any:
        from brickyard.local.tasks.streams import remember_foreach_batch

        remember_foreach_batch(self, func)
        try:
            return foreach_batch(self, func)
        except Exception:  # pickling for the engine may fail; the local batch does not need it
            return self

    DataStreamWriter.foreachBatch = each_batch  # type: ignore[method-assign]
