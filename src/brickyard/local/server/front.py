"""The HTTPS port: TLS ends here, and each connection goes on by the protocol its client chose.

REST clients (the SDK, curl, the legacy CLI, the SQL connector's Thrift over HTTP) negotiate
HTTP/1.1 and are piped to the plain http listener; gRPC clients (Databricks Connect) can only speak
HTTP/2 and are piped to the Spark Connect proxy. One address then serves both, as a workspace host
does: Databricks Connect calls the REST API and opens its gRPC channel on the same `host:port`. The
server prefers HTTP/1.1 when a client offers both (curl does), so only gRPC lands on HTTP/2.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import Callable
from types import FrameType
from typing import Any

from brickyard.local.tls import TlsFiles

log = logging.getLogger("brickyard.local")
CHUNK = 256 * 1024
LOOPBACK = "127.0.0.1"


class TlsFront:
    """Served alongside uvicorn in one event loop, with the same `started`/`should_exit` surface."""

    def __init__(self, tls: TlsFiles, http_port: int, grpc_port: Callable[[], int]) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(str(tls.cert_file), str(tls.key_file))
        self.context.set_alpn_protocols(["http/1.1", "h2"])
        self.http_port = http_port
        self.grpc_port = grpc_port
        self.started = False
        self.should_exit = False
        self._connections: set[asyncio.Task[None]] = set()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.should_exit = True

    async def serve(self, sockets: list[socket.socket]) -> None:
        servers = [
            await asyncio.start_server(
                self._connection, sock=sock, ssl=self.context, ssl_handshake_timeout=10
            )
            for sock in sockets
        ]
        self.started = True
        try:
            while not self.should_exit:
                await asyncio.sleep(0.1)
        finally:
            for server in servers:
                server.close()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            ssl_object = writer.get_extra_info("ssl_object")
            protocol = ssl_object.selected_alpn_protocol() if ssl_object is not None else None
            port = self.grpc_port() if protocol == "h2" else self.http_port
            try:
                up_reader, up_writer = await asyncio.open_connection(LOOPBACK, port)
            except OSError as err:
                log.warning("cannot reach the %s listener on port %s: %s", protocol or "http", port, err)
                return
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer), return_exceptions=True)
            _close(up_writer)
        finally:
            _close(writer)
            self._connections.discard(task)


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while chunk := await source.read(CHUNK):
            sink.write(chunk)
            await sink.drain()
    except (ConnectionError, ssl.SSLError, OSError):
        pass
    finally:
        if sink.can_write_eof():
            with contextlib.suppress(OSError, RuntimeError):
                sink.write_eof()
        else:
            _close(sink)


def _close(writer: Any) -> None:
    with contextlib.suppress(Exception):
        writer.close()
