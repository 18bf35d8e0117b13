"""Statements of the Statement Execution API: submitted, run in the background, polled, fetched.

Each warehouse has one SQL session for this API; its statements run one at a time in submission
order (PENDING while they wait, RUNNING while they run). A request waits up to its `wait_timeout`
for the result and otherwise answers with the state so far. Results are kept in memory, split into
chunks, for `RETENTION` seconds after they finish; EXTERNAL_LINKS chunks are served by this server
under a signed path that needs no token (the link is the credential, as a presigned URL is).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from brickyard.local.sql import results
from brickyard.local.sql.errors import SqlError
from brickyard.local.sql.params import Parameter, bind

if TYPE_CHECKING:
    import pyarrow as pa

    from brickyard.local.sql.session import SqlSession

PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED, CLOSED = (
    "PENDING",
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
    "CANCELED",
    "CLOSED",
)
TERMINAL = frozenset({SUCCEEDED, FAILED, CANCELED, CLOSED})
RETENTION = 3600.0
LINK_SECONDS = 900
EXTERNAL_PATH = "/brickyard/sql-results"


@dataclass
class Request:
    warehouse_id: str
    statement: str
    parameters: dict[str, Parameter]
    catalog: str | None = None
    schema: str | None = None
    disposition: str = "INLINE"
    format: str = "JSON_ARRAY"
    row_limit: int | None = None
    byte_limit: int | None = None


@dataclass
class Statement:
    id: str
    request: Request
    state: str = PENDING
    error: SqlError | None = None
    chunks: list[pa.Table] = field(default_factory=list)
    schema: pa.Schema | None = None
    truncated: bool = False
    finished_at: float | None = None
    done: threading.Event = field(default_factory=threading.Event)


class StatementRunner:
    def __init__(self, open_session: Callable[[str], SqlSession], secret: str) -> None:
        self._open_session = open_session
        self._secret = secret.encode()
        self._statements: dict[str, Statement] = {}
        self._sessions: dict[str, SqlSession] = {}
        self._queues: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def submit(self, request: Request) -> Statement:
        statement = Statement(id=str(uuid.uuid4()), request=request)
        with self._lock:
            self._forget_old()
            self._statements[statement.id] = statement
            queue = self._queues.setdefault(request.warehouse_id, threading.Lock())
        threading.Thread(
            target=self._run, args=(statement, queue), name=f"sql-{statement.id[:8]}", daemon=True
        ).start()
        return statement

    def get(self, statement_id: str) -> Statement | None:
        with self._lock:
            return self._statements.get(statement_id)

    def cancel(self, statement: Statement) -> None:
        if statement.state in TERMINAL:
            return
        was_running = statement.state == RUNNING
        statement.state = CANCELED
        session = self._sessions.get(statement.request.warehouse_id)
        if was_running and session is not None:
            threading.Thread(target=_interrupt, args=(session, statement), daemon=True).start()

    def close(self) -> None:
        with self._lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.close()

    def sign(self, statement_id: str, chunk: int, expires: int) -> str:
        message = f"{statement_id}/{chunk}/{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def link(self, base_url: str, statement_id: str, chunk: int) -> tuple[str, str]:
        """An external link to one chunk and its expiration (ISO 8601)."""
        expires = int(time.time()) + LINK_SECONDS
        url = (
            f"{base_url}{EXTERNAL_PATH}/{statement_id}/{chunk}"
            f"?expires={expires}&signature={self.sign(statement_id, chunk, expires)}"
        )
        return url, time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(expires))

    def verify(self, statement_id: str, chunk: int, expires: int, signature: str) -> bool:
        good = hmac.compare_digest(self.sign(statement_id, chunk, expires), signature)
        return good and expires >= time.time()

    def _run(self, statement: Statement, queue: threading.Lock) -> None:
        request = statement.request
        try:
            with queue:
                if statement.state == CANCELED:
                    return
                statement.state = RUNNING
                session = self._session(request.warehouse_id)
                text = bind(request.statement, request.parameters)
                table = session.execute(text, catalog=request.catalog, schema=request.schema, reset=True)
            if statement.state == CANCELED:
                return
            table, statement.truncated = _limited(table, request.row_limit, request.byte_limit)
            statement.schema = table.schema
            statement.chunks = results.chunks(table)
            statement.state = SUCCEEDED
        except SqlError as err:
            if statement.state != CANCELED:
                statement.error, statement.state = err, FAILED
        except Exception as err:  # the engine failed to start, a bug: the statement fails, not the server
            if statement.state != CANCELED:
                statement.error, statement.state = SqlError.from_engine(err), FAILED
        finally:
            statement.finished_at = time.time()
            statement.done.set()

    def _session(self, warehouse_id: str) -> SqlSession:
        with self._lock:
            session = self._sessions.get(warehouse_id)
            if session is None:
                session = self._sessions[warehouse_id] = self._open_session(warehouse_id)
            return session

    def _forget_old(self) -> None:
        cutoff = time.time() - RETENTION
        for key in [k for k, s in self._statements.items() if s.finished_at and s.finished_at < cutoff]:
            del self._statements[key]


def _interrupt(session: SqlSession, statement: Statement) -> None:
    """Interrupt until the statement's thread is done: a statement marked RUNNING may not have
    reached the engine yet when the first interrupt goes out."""
    deadline = time.monotonic() + 30
    while not statement.done.is_set() and time.monotonic() < deadline:
        session.cancel()
        statement.done.wait(0.2)


def _limited(table: pa.Table, row_limit: int | None, byte_limit: int | None) -> tuple[pa.Table, bool]:
    truncated = False
    if row_limit is not None and table.num_rows > row_limit:
        table, truncated = table.slice(0, row_limit), True
    if byte_limit is not None and table.num_rows and table.nbytes > byte_limit:
        keep = max(0, int(table.num_rows * byte_limit / table.nbytes))
        table, truncated = table.slice(0, keep), True
    return table, truncated


def describe(statement: Statement, link: Callable[[int], tuple[str, str]] | None = None) -> dict[str, Any]:
    """The StatementResponse document: status, and once it succeeded the manifest and first chunk."""
    status: dict[str, Any] = {"state": statement.state}
    if statement.state == FAILED and statement.error is not None:
        status["error"] = {"error_code": _error_code(statement.error), "message": statement.error.message}
        status["sql_state"] = statement.error.sql_state
    doc: dict[str, Any] = {"statement_id": statement.id, "status": status}
    if statement.state == SUCCEEDED:
        doc["manifest"] = manifest(statement)
        doc["result"] = chunk(statement, 0, link)
    return doc


def manifest(statement: Statement) -> dict[str, Any]:
    assert statement.schema is not None
    offsets = _offsets(statement)
    return {
        "format": statement.request.format,
        "schema": {"column_count": len(statement.schema), "columns": results.columns(statement.schema)},
        "total_chunk_count": len(statement.chunks),
        "chunks": [
            {"chunk_index": i, "row_offset": offsets[i], "row_count": c.num_rows, "byte_count": c.nbytes}
            for i, c in enumerate(statement.chunks)
        ],
        "total_row_count": sum(c.num_rows for c in statement.chunks),
        "total_byte_count": sum(c.nbytes for c in statement.chunks),
        "truncated": statement.truncated,
    }


def chunk(
    statement: Statement, index: int, link: Callable[[int], tuple[str, str]] | None = None
) -> dict[str, Any]:
    """One chunk as ResultData: its rows inline, or a link to them."""
    table = statement.chunks[index]
    offsets = _offsets(statement)
    info: dict[str, Any] = {
        "chunk_index": index,
        "row_offset": offsets[index],
        "row_count": table.num_rows,
        "byte_count": table.nbytes,
    }
    if index + 1 < len(statement.chunks):
        info["next_chunk_index"] = index + 1
        info["next_chunk_internal_link"] = f"/api/2.0/sql/statements/{statement.id}/result/chunks/{index + 1}"
    if statement.request.disposition == "EXTERNAL_LINKS":
        assert link is not None
        url, expiration = link(index)
        return {"external_links": [{**info, "external_link": url, "expiration": expiration}]}
    if table.num_rows:
        info["data_array"] = results.json_rows(table)
    return info


def chunk_bytes(statement: Statement, index: int) -> tuple[bytes, str]:
    """An external chunk's content and media type, in the statement's format."""
    table = statement.chunks[index]
    form = statement.request.format
    if form == "ARROW_STREAM":
        return results.arrow_stream(table), "application/vnd.apache.arrow.stream"
    if form == "CSV":
        return results.csv_text(table, header=index == 0), "text/csv"
    import json

    return json.dumps(results.json_rows(table), separators=(",", ":")).encode(), "application/json"


def _offsets(statement: Statement) -> list[int]:
    offsets, total = [], 0
    for table in statement.chunks:
        offsets.append(total)
        total += table.num_rows
    return offsets


def _error_code(error: SqlError) -> str:
    return "INTERNAL_ERROR" if error.error_class == "INTERNAL_ERROR" else "BAD_REQUEST"
