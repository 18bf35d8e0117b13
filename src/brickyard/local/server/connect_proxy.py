"""The Spark Connect endpoint of the local workspace, as Databricks Connect expects to find it.

Databricks Connect opens a gRPC channel to the workspace host itself (over TLS, through `front`)
with `authorization: Bearer <token>` and either `x-databricks-cluster-id` (a cluster) or
`x-databricks-session-id` alone (serverless). This proxy checks the token, picks the Spark Connect
endpoint the cluster names (the embedded engine unless its `spark_conf` sets `spark.remote`;
serverless always gets the embedded engine), and relays the calls to it as opaque bytes, so every
Spark Connect client version the engine understands passes through unchanged. Errors travel back
with their status details, which the client turns into Spark exceptions.

One thing is answered here rather than relayed: the Databricks Runtime version in `spark_version`
analysis (field 800 of `SparkVersion`, which serverless sessions check against the client's own
version). It is the client's major.minor when its user agent names one, so the check passes.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import grpc

if TYPE_CHECKING:
    from brickyard.local.server.services import Services

log = logging.getLogger("brickyard.local")

SERVICE = "spark.connect.SparkConnectService"
SERVER_STREAMING = frozenset({"ExecutePlan", "ReattachExecute"})
CLIENT_STREAMING = frozenset({"AddArtifacts"})
DEFAULT_DBR = "16.4.x-scala2.12"
_HIDDEN_METADATA = ("authorization", "x-databricks-")
_CLIENT_VERSION = re.compile(rb"dbconnect/(\d+)\.(\d+)")
_MESSAGE_LIMIT = 128 * 1024 * 1024


@dataclass(frozen=True)
class _Status(grpc.Status):  # type: ignore[misc]
    code: grpc.StatusCode
    details: str
    trailing_metadata: Any


class Refused(Exception):
    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


Route = Callable[[dict[str, str]], str]
"""The request's metadata to the `sc://` URL of the Spark Connect endpoint it goes to; raises Refused."""


@dataclass(frozen=True)
class Endpoint:
    """What the proxy dials for an `sc://host:port/;token=…;use_ssl=…` URL."""

    address: str
    token: str | None = None
    use_ssl: bool = False

    @classmethod
    def parse(cls, remote: str) -> Endpoint:
        rest = remote.split("://", 1)[-1]
        address, _, params = rest.partition("/")
        values = dict(p.split("=", 1) for p in params.lstrip(";").split(";") if "=" in p)
        return cls(address, values.get("token"), values.get("use_ssl", "").lower() == "true")


class ConnectProxy(grpc.GenericRpcHandler):  # type: ignore[misc]
    def __init__(self, accepts: Callable[[str], bool], route: Route) -> None:
        self._accepts = accepts
        """Which bearer tokens are valid: the workspace's, or a run's while it runs (`runs.tokens`)."""
        self._route = route
        self._channels: dict[str, grpc.Channel] = {}
        self._lock = threading.Lock()
        self._server: grpc.Server | None = None
        self.port = 0

    def start(self) -> int:
        """Listen on a loopback port of its own (only `front` connects to it) and return it."""
        options = [("grpc.max_receive_message_length", _MESSAGE_LIMIT)]
        server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=32, thread_name_prefix="connect"), options=options
        )
        server.add_generic_rpc_handlers((self,))
        self.port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self._server = server
        return self.port

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop(grace=1).wait(5)
        with self._lock:
            for channel in self._channels.values():
                channel.close()
            self._channels.clear()

    # ---- grpc.GenericRpcHandler ----------------------------------------------------------------

    def service(self, handler_call_details: Any) -> Any:
        method: str = handler_call_details.method
        service, _, name = method.lstrip("/").partition("/")
        if service != SERVICE:
            return None
        if name in SERVER_STREAMING:
            return grpc.unary_stream_rpc_method_handler(
                lambda request, context: self._stream(method, request, context)
            )
        if name in CLIENT_STREAMING:
            return grpc.stream_unary_rpc_method_handler(
                lambda requests, context: self._unary(method, requests, context, True)
            )
        return grpc.unary_unary_rpc_method_handler(
            lambda request, context: self._unary(method, request, context, False)
        )

    # ---- relaying ------------------------------------------------------------------------------

    def _unary(self, method: str, request: Any, context: Any, streaming_in: bool) -> bytes:
        channel, metadata = self._upstream(context)
        call = channel.stream_unary(method) if streaming_in else channel.unary_unary(method)
        try:
            response: bytes = call(request, metadata=metadata, timeout=_timeout(context))
        except grpc.RpcError as err:
            _relay_error(context, err)
        if method.endswith("/AnalyzePlan") and not streaming_in and _asks_spark_version(request):
            response += _dbr_version_field(_dbr_version(request))
        return response

    def _stream(self, method: str, request: bytes, context: Any) -> Iterator[bytes]:
        channel, metadata = self._upstream(context)
        call = channel.unary_stream(method)(request, metadata=metadata, timeout=_timeout(context))
        context.add_callback(call.cancel)
        try:
            yield from call
        except grpc.RpcError as err:
            _relay_error(context, err)

    def _upstream(self, context: Any) -> tuple[grpc.Channel, list[tuple[str, Any]]]:
        """The channel to the call's endpoint, and the metadata to send there: the client's, less
        its workspace credentials, plus the endpoint's own token if its URL carries one."""
        given = list(context.invocation_metadata())
        headers = {str(k).lower(): v for k, v in given if isinstance(v, str)}
        scheme, _, presented = headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or not presented.strip() or not self._accepts(presented.strip()):
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "Invalid access token.")
        try:
            endpoint = Endpoint.parse(self._route(headers))
        except Refused as refused:
            context.abort(refused.code, refused.message)
        forwarded = [(k, v) for k, v in given if not str(k).lower().startswith(_HIDDEN_METADATA)]
        if endpoint.token:
            forwarded.append(("authorization", f"Bearer {endpoint.token}"))
        return self._channel(endpoint), forwarded

    def _channel(self, endpoint: Endpoint) -> grpc.Channel:
        key = f"{endpoint.address}|{endpoint.use_ssl}"
        with self._lock:
            channel = self._channels.get(key)
            if channel is None:
                options = [
                    ("grpc.max_receive_message_length", _MESSAGE_LIMIT),
                    ("grpc.max_send_message_length", _MESSAGE_LIMIT),
                ]
                if endpoint.use_ssl:
                    creds = grpc.ssl_channel_credentials()
                    channel = grpc.secure_channel(endpoint.address, creds, options=options)
                else:
                    channel = grpc.insecure_channel(endpoint.address, options=options)
                self._channels[key] = channel
            return channel


def _timeout(context: Any) -> float | None:
    """The caller's deadline; a call without one reports a remaining time far in the future, which
    as a timeout would overflow into the past."""
    remaining = context.time_remaining()
    return remaining if remaining is not None and remaining < 86_400 else None


def _relay_error(context: Any, err: grpc.RpcError) -> None:
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    details = err.details() if hasattr(err, "details") else str(err)
    trailers = err.trailing_metadata() if hasattr(err, "trailing_metadata") else None
    context.abort_with_status(_Status(code, details or "", trailers or ()))


# ---- the few protobuf bytes read or written here ---------------------------------------------------


def _asks_spark_version(request: bytes) -> bool:
    """AnalyzePlanRequest field 10 is `spark_version`."""
    return 10 in _top_level_fields(request)


def _dbr_version(request: bytes) -> str:
    """The client's major.minor from its user agent (AnalyzePlanRequest field 3, `client_type`)."""
    found = _CLIENT_VERSION.search(_top_level_fields(request).get(3, b""))
    return f"{int(found[1])}.{int(found[2])}.x-scala2.12" if found else DEFAULT_DBR


def _dbr_version_field(version: str) -> bytes:
    """AnalyzePlanResponse field 8 (`spark_version`) holding only field 800 (`dbr_version`): a
    repeated embedded message merges into the one the engine sent."""
    inner = _key(800, 2) + _varint(len(version.encode())) + version.encode()
    return _key(8, 2) + _varint(len(inner)) + inner


def _top_level_fields(data: bytes) -> dict[int, bytes]:
    """Field number to payload (length-delimited fields) or b"" (others); stops at bad input."""
    found: dict[int, bytes] = {}
    pos = 0
    try:
        while pos < len(data):
            key, pos = _read_varint(data, pos)
            number, wire = key >> 3, key & 7
            if wire == 0:
                _, pos = _read_varint(data, pos)
                found[number] = b""
            elif wire == 2:
                size, pos = _read_varint(data, pos)
                found[number] = data[pos : pos + size]
                pos += size
            elif wire in (1, 5):
                pos += 8 if wire == 1 else 4
                found[number] = b""
            else:
                break
    except IndexError:
        pass
    return found


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def cluster_route(services: Services) -> Route:
    """Calls for a cluster go where its tasks go; calls naming no cluster (serverless, or a plain
    Spark Connect client) go to the embedded engine. A terminated cluster is started, as a
    workspace starts it for Databricks Connect."""
    from brickyard.local.apierror import ApiError

    def route(headers: dict[str, str]) -> str:
        cluster_id = headers.get("x-databricks-cluster-id")
        try:
            if cluster_id:
                doc = services.clusters.ensure_running(cluster_id)
                return services.compute.remote_for(doc.get("spark_conf"))
            return services.compute.default_remote()
        except ApiError as err:
            code = grpc.StatusCode.NOT_FOUND if err.status == 404 else grpc.StatusCode.FAILED_PRECONDITION
            raise Refused(code, err.message) from None
        except Exception as err:  # the engine failed to start: the client sees why
            log.warning("no Spark Connect endpoint for cluster %s: %s", cluster_id, err)
            raise Refused(
                grpc.StatusCode.UNAVAILABLE, f"the local Spark engine is not available: {err}"
            ) from None

    return route
