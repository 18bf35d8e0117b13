"""TCLIService over HTTP, as the Databricks SQL connector speaks it: one Thrift call per POST, binary
protocol, on `/sql/1.0/warehouses/<id>` (and a cluster's `/sql/protocolv1/o/0/<id>`).

The generated Thrift types come from the connector itself (`databricks.sql.thrift_api`), an
optional dependency (`brickyard[sql]`) imported only when a Thrift client calls. A session is a
`SqlSession`; a statement runs in a thread of its own and is polled with GetOperationStatus; its
result goes back as Arrow batches (ARROW_BASED_SET), the first ones directly in the
ExecuteStatement answer when the client asks for direct results and the statement is quick.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from brickyard.local.sql import thrift_arrow, thrift_metadata
from brickyard.local.sql.compat import clean
from brickyard.local.sql.errors import SqlError
from brickyard.local.sql.operation import Operation
from brickyard.local.sql.params import Parameter, bind

if TYPE_CHECKING:
    import pyarrow as pa

    from brickyard.local.sql.service import SqlWarehouses
    from brickyard.local.sql.session import SqlSession

DIRECT_WAIT = 5.0
"""How long ExecuteStatement waits to answer with the result itself when direct results are asked."""


def handle(body: bytes, warehouses: SqlWarehouses, endpoint: str) -> bytes:
    """Decode one Thrift call, run it, encode its answer."""
    from databricks.sql.thrift_api.TCLIService import TCLIService as generated

    service: Any = generated
    from thrift.protocol import TBinaryProtocol
    from thrift.transport import TTransport

    source = TTransport.TMemoryBuffer(body)
    sink = TTransport.TMemoryBuffer()
    processor = service.Processor(Handler(warehouses, endpoint))
    processor.process(TBinaryProtocol.TBinaryProtocol(source), TBinaryProtocol.TBinaryProtocol(sink))
    return bytes(sink.getvalue())


class Handler:
    def __init__(self, warehouses: SqlWarehouses, endpoint: str) -> None:
        from databricks.sql.thrift_api.TCLIService import ttypes

        self.t: Any = ttypes
        self.warehouses = warehouses
        self.endpoint = endpoint

    # sessions

    def OpenSession(self, req: Any) -> Any:
        t = self.t
        namespace = req.initialNamespace
        session = self.warehouses.open_session(
            namespace.catalogName if namespace else None, namespace.schemaName if namespace else None
        )
        for key, value in (req.configuration or {}).items():
            if key.lower().startswith("spark.") and not key.startswith("spark.thriftserver."):
                session.conf[key] = str(value)
        guid = uuid.uuid4().bytes
        with self.warehouses.lock:
            self.warehouses.sessions[guid.hex()] = (self.endpoint, session)
        requested = req.client_protocol_i64 or req.client_protocol or 0
        version = min(requested, t.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8) or (
            t.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V7
        )
        return t.TOpenSessionResp(
            status=self._ok(),
            serverProtocolVersion=version,
            sessionHandle=t.TSessionHandle(
                sessionId=t.THandleIdentifier(guid=guid, secret=uuid.uuid4().bytes)
            ),
            configuration={},
            initialNamespace=t.TNamespace(catalogName=session.catalog, schemaName=session.schema),
            canUseMultipleCatalogs=True,
        )

    def CloseSession(self, req: Any) -> Any:
        key = req.sessionHandle.sessionId.guid.hex()
        with self.warehouses.lock:
            found = self.warehouses.sessions.pop(key, None)
            operations = [
                k for k, op in self.warehouses.operations.items() if found and op.session is found[1]
            ]
            for op_key in operations:
                self.warehouses.operations.pop(op_key, None)
        if found is not None:
            found[1].close()
        return self.t.TCloseSessionResp(status=self._ok())

    def GetInfo(self, req: Any) -> Any:
        t = self.t
        values = {t.TGetInfoType.CLI_DBMS_NAME: "Spark SQL", t.TGetInfoType.CLI_DBMS_VER: "3.5.0"}
        value = values.get(req.infoType, "brickyard local warehouse")
        return t.TGetInfoResp(status=self._ok(), infoValue=t.TGetInfoValue(stringValue=value))

    # statements

    def ExecuteStatement(self, req: Any) -> Any:
        t = self.t
        session = self._session(req.sessionHandle)
        if session is None:
            return t.TExecuteStatementResp(
                status=self._error("Invalid SessionHandle: the session is closed.")
            )
        statement = _bound(req.statement, req.parameters or [])
        op = Operation(session=session, arrow_types=req.useArrowNativeTypes)
        handle = self._register(op)
        threading.Thread(target=self._run, args=(op, statement), name="thrift-statement", daemon=True).start()
        if not req.runAsync:
            op.done.wait()
        direct = None
        if req.getDirectResults is not None:
            op.done.wait(DIRECT_WAIT)
            direct = self._direct(op, req.getDirectResults.maxRows)
        return t.TExecuteStatementResp(status=self._ok(), operationHandle=handle, directResults=direct)

    def GetOperationStatus(self, req: Any) -> Any:
        op = self._operation(req.operationHandle)
        if op is None:
            return self.t.TGetOperationStatusResp(status=self._error("Invalid OperationHandle."))
        return self._status(op)

    def GetResultSetMetadata(self, req: Any) -> Any:
        op = self._operation(req.operationHandle)
        if op is None:
            return self.t.TGetResultSetMetadataResp(status=self._error("Invalid OperationHandle."))
        return self._metadata(op)

    def FetchResults(self, req: Any) -> Any:
        t = self.t
        op = self._operation(req.operationHandle)
        if op is None:
            return t.TFetchResultsResp(status=self._error("Invalid OperationHandle."))
        if not op.done.wait(60) or op.table is None:
            message = op.error.message if op.error else "The statement has no result to fetch."
            return t.TFetchResultsResp(status=self._error(message))
        if req.orientation == t.TFetchOrientation.FETCH_FIRST:
            op.offset = 0
        rows, more = self._next_rows(op, req.maxRows)
        return t.TFetchResultsResp(
            status=self._ok(),
            hasMoreRows=more,
            results=rows,
            resultSetMetadata=self._metadata(op) if req.includeResultSetMetadata else None,
        )

    def CancelOperation(self, req: Any) -> Any:
        op = self._operation(req.operationHandle)
        if op is not None and not op.done.is_set():
            op.state = "CANCELED"
            threading.Thread(target=_interrupt, args=(op,), daemon=True).start()
        return self.t.TCancelOperationResp(status=self._ok())

    def CloseOperation(self, req: Any) -> Any:
        with self.warehouses.lock:
            self.warehouses.operations.pop(req.operationHandle.operationId.guid.hex(), None)
        return self.t.TCloseOperationResp(status=self._ok())

    # metadata

    def GetCatalogs(self, req: Any) -> Any:
        return self._metadata_call(req, self.t.TGetCatalogsResp, thrift_metadata.catalogs)

    def GetSchemas(self, req: Any) -> Any:
        return self._metadata_call(
            req,
            self.t.TGetSchemasResp,
            lambda spark: thrift_metadata.schemas(spark, req.catalogName, req.schemaName),
        )

    def GetTables(self, req: Any) -> Any:
        return self._metadata_call(
            req,
            self.t.TGetTablesResp,
            lambda spark: thrift_metadata.tables(
                spark, req.catalogName, req.schemaName, req.tableName, req.tableTypes
            ),
        )

    def GetColumns(self, req: Any) -> Any:
        return self._metadata_call(
            req,
            self.t.TGetColumnsResp,
            lambda spark: thrift_metadata.columns(
                spark, req.catalogName, req.schemaName, req.tableName, req.columnName
            ),
        )

    def GetTableTypes(self, req: Any) -> Any:
        import pyarrow as pa

        return self._metadata_call(
            req, self.t.TGetTableTypesResp, lambda _spark: pa.table({"TABLE_TYPE": ["TABLE", "VIEW"]})
        )

    # parts

    def _run(self, op: Operation, statement: str) -> None:
        try:
            if op.state == "CANCELED":
                return
            op.state = "RUNNING"
            table = op.session.execute(statement)
            if op.state == "CANCELED":
                return
            op.original = table.schema
            if table.column_names[:1] == ["num_affected_rows"]:
                op.modified = int(table.column(0)[0].as_py() or 0) if table.num_rows else 0
            op.table = thrift_arrow.for_client(table, op.arrow_types)
            op.state = "FINISHED"
        except Exception as err:
            if op.state != "CANCELED":
                op.error, op.state = SqlError.from_engine(err), "ERROR"
        finally:
            op.done.set()

    def _metadata_call(self, req: Any, response: type, work: Callable[[Any], pa.Table]) -> Any:
        session = self._session(req.sessionHandle)
        if session is None:
            return response(status=self._error("Invalid SessionHandle: the session is closed."))
        op = Operation(session=session)
        handle = self._register(op, self.t.TOperationType.GET_TABLES)
        try:
            table = session.call(work)
            op.original = table.schema
            op.table = thrift_arrow.for_client(table, None)
            op.state = "FINISHED"
        except SqlError as err:
            op.error, op.state = err, "ERROR"
        op.done.set()
        max_rows = req.getDirectResults.maxRows if req.getDirectResults else None
        direct = self._direct(op, max_rows) if req.getDirectResults is not None else None
        return response(status=self._ok(), operationHandle=handle, directResults=direct)

    def _direct(self, op: Operation, max_rows: int | None) -> Any:
        t = self.t
        if not op.done.is_set() or op.table is None:
            return t.TSparkDirectResults(operationStatus=self._status(op))
        rows, more = self._next_rows(op, max_rows)
        return t.TSparkDirectResults(
            operationStatus=self._status(op),
            resultSetMetadata=self._metadata(op),
            resultSet=t.TFetchResultsResp(status=self._ok(), hasMoreRows=more, results=rows),
        )

    def _next_rows(self, op: Operation, max_rows: int | None) -> tuple[Any, bool]:
        assert op.table is not None
        size = max_rows if max_rows and max_rows > 0 else op.table.num_rows
        part = op.table.slice(op.offset, size)
        rows = self.t.TRowSet(startRowOffset=op.offset, rows=[], arrowBatches=thrift_arrow.batches(part))
        op.offset += part.num_rows
        return rows, op.offset < op.table.num_rows

    def _status(self, op: Operation) -> Any:
        t = self.t
        state = getattr(t.TOperationState, f"{op.state}_STATE")
        resp = t.TGetOperationStatusResp(
            status=self._ok(), operationState=state, hasResultSet=True, numModifiedRows=op.modified
        )
        if op.error is not None:
            resp.errorMessage = resp.displayMessage = op.error.message
            resp.sqlState = op.error.sql_state
            resp.errorCode = 0
        return resp

    def _metadata(self, op: Operation) -> Any:
        t = self.t
        if op.table is None or op.original is None:
            return t.TGetResultSetMetadataResp(status=self._error("The statement has no result."))
        return t.TGetResultSetMetadataResp(
            status=self._ok(),
            schema=thrift_arrow.table_schema(op.original),
            resultFormat=t.TSparkRowSetType.ARROW_BASED_SET,
            lz4Compressed=False,
            arrowSchema=thrift_arrow.schema_bytes(op.table.schema),
            isStagingOperation=False,
        )

    def _register(self, op: Operation, kind: int | None = None) -> Any:
        t = self.t
        guid = uuid.uuid4().bytes
        with self.warehouses.lock:
            self.warehouses.operations[guid.hex()] = op
        return t.TOperationHandle(
            operationId=t.THandleIdentifier(guid=guid, secret=uuid.uuid4().bytes),
            operationType=kind if kind is not None else t.TOperationType.EXECUTE_STATEMENT,
            hasResultSet=True,
        )

    def _session(self, handle: Any) -> SqlSession | None:
        with self.warehouses.lock:
            found = self.warehouses.sessions.get(handle.sessionId.guid.hex()) if handle else None
        return found[1] if found else None

    def _operation(self, handle: Any) -> Operation | None:
        with self.warehouses.lock:
            return self.warehouses.operations.get(handle.operationId.guid.hex()) if handle else None

    def _ok(self) -> Any:
        return self.t.TStatus(statusCode=self.t.TStatusCode.SUCCESS_STATUS)

    def _error(self, message: str) -> Any:
        return self.t.TStatus(
            statusCode=self.t.TStatusCode.ERROR_STATUS, errorMessage=message, displayMessage=message
        )


def _bound(statement: str, parameters: list[Any]) -> str:
    named: dict[str, Parameter] = {}
    positional: list[tuple[int, Parameter]] = []
    for item in parameters:
        value = item.value
        text = None
        if value is not None:
            if value.stringValue is not None:
                text = value.stringValue
            elif value.booleanValue is not None:
                text = "true" if value.booleanValue else "false"
            elif value.doubleValue is not None:
                text = repr(value.doubleValue)
        kind = item.type or "STRING"
        if kind.upper() == "VOID":
            text = None
        parameter = Parameter(text, kind)
        if item.name:
            named[item.name] = parameter
        else:
            positional.append((item.ordinal or len(positional) + 1, parameter))
    text = clean(statement)
    if not named and not positional:
        return text
    return bind(text, named, [p for _, p in sorted(positional, key=lambda pair: pair[0])])


def _interrupt(op: Operation) -> None:
    deadline = time.monotonic() + 30
    while not op.done.is_set() and time.monotonic() < deadline:
        op.session.cancel()
        op.done.wait(0.2)
