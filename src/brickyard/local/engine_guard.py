"""The embedded engine behind a door that needs the workspace token.

Sail listens on TCP with no authentication, and on loopback any local user can connect, run
queries and read files as the workspace's owner. So Sail never listens where others can reach it:

- Sail runs in a process of its own inside a private network namespace (`unshare`), where
  127.0.0.1 is a loopback no other process on the machine shares. A relay inside that process
  joins a Unix socket in a folder only the user can open (0700) to Sail's port.
- In front, a gRPC proxy on the machine's loopback accepts a Spark Connect call only with
  `authorization: Bearer <token>` and forwards it, bytes untouched, through the Unix socket.

Clients connect with `sc://localhost:PORT/;token=TOKEN`: pyspark sends the token as a bearer token
over local (unencrypted, loopback-only) channel credentials when the host is `localhost`.

Where the system allows no namespace (no root, user namespaces off), Sail stays on the host's
loopback, reachable directly, and the engine log says so.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import errno
import fcntl
import hmac
import os
import signal
import socket
import struct
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
PR_SET_PDEATHSIG = 1
MESSAGE_OPTIONS = [
    ("grpc.max_receive_message_length", 2**31 - 1),
    ("grpc.max_send_message_length", 2**31 - 1),
]
_NOT_FORWARDED = {"authorization", "user-agent", "content-type", "te"}


# ---- the private side: Sail in its own network namespace -------------------------------------


def enter_private_network() -> str | None:
    """Move this (still single-threaded) process into a new network namespace with loopback up;
    None when done, else why it could not be done."""
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWNET) != 0:
        first = ctypes.get_errno()
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
            return f"unshare: {os.strerror(first)}; with a user namespace: {os.strerror(ctypes.get_errno())}"
        try:
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
            Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        except OSError as err:
            return f"user namespace mapping: {err.strerror}"
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            request = struct.pack("16sH14x", b"lo", 0)
            flags = struct.unpack("16sH14x", fcntl.ioctl(probe, SIOCGIFFLAGS, request))[1]
            fcntl.ioctl(probe, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))
    except OSError as err:
        return f"bringing up loopback: {err.strerror}"
    return None


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(256 * 1024):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def _relay(path: Path, port: int, stop: asyncio.Event) -> None:
    async def joined(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    server = await asyncio.start_unix_server(joined, path=str(path))
    os.chmod(path, 0o600)
    async with server:
        await stop.wait()


def serve_private(socket_path: Path, ready: Path) -> None:
    """Sail in a private network namespace, reachable only through `socket_path`."""
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)  # never outlive the proxy
    refused = enter_private_network()
    from pysail.spark import SparkConnectServer

    server = SparkConnectServer("127.0.0.1", 0)
    server.start(background=True)
    _, port = server.listening_address
    socket_path.unlink(missing_ok=True)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    async def main() -> None:
        task = asyncio.ensure_future(_relay(socket_path, port, stop))
        while not socket_path.exists() and not task.done():
            await asyncio.sleep(0.005)
        _write(ready, "private" if refused is None else f"shared: {refused}")
        await task

    try:
        loop.run_until_complete(main())
        # Connections still relayed would hold Sail's graceful stop for ever: close them first.
        pending = asyncio.all_tasks(loop)
        loop.set_exception_handler(_quiet_cancellations)  # asyncio's own callbacks see them cancelled
        for task in pending:
            task.cancel()

        async def drain() -> None:  # gathered inside the loop: the tasks belong to it
            await asyncio.gather(*pending, return_exceptions=True)

        loop.run_until_complete(drain())
    finally:
        loop.close()
        server.stop()


def _quiet_cancellations(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """What the loop reports at shutdown, but the cancellation of the relays it was asked for."""
    if not isinstance(context.get("exception"), asyncio.CancelledError):
        loop.default_exception_handler(context)


# ---- the public side: a token-checking gRPC proxy ---------------------------------------------


SERVICE = "/spark.connect.SparkConnectService/"
STREAMING = {"ExecutePlan": "unary_stream", "ReattachExecute": "unary_stream", "AddArtifacts": "stream_unary"}
"""The Spark Connect methods that stream; every other one is unary (`Config`, `AnalyzePlan`, …).
Written out rather than read from pyspark's stub, whose import would cost the engine seconds."""


def kind_of(method: str) -> str | None:
    """`/spark.connect.SparkConnectService/ExecutePlan` → `unary_stream`; None for other services."""
    if not method.startswith(SERVICE):
        return None
    return STREAMING.get(method[len(SERVICE) :], "unary_unary")


class TokenProxy:
    """A gRPC generic handler: refuse without the token, else forward the raw bytes upstream."""

    def __init__(self, upstream: Any, token: str) -> None:
        self.upstream = upstream
        self._expected = f"Bearer {token}".encode()

    def service(self, details: Any) -> Any:
        import grpc

        kind = kind_of(details.method)
        if kind is None:
            return None
        metadata = tuple(details.invocation_metadata or ())
        given = next((v for k, v in metadata if k == "authorization"), "")
        given_bytes = given.encode() if isinstance(given, str) else bytes(given)
        factory = getattr(grpc, f"{kind}_rpc_method_handler")
        if not hmac.compare_digest(given_bytes, self._expected):
            return factory(_refuse)
        forwarded = tuple(
            (k, v) for k, v in metadata if k not in _NOT_FORWARDED and not k.startswith(("grpc-", ":"))
        )
        call = getattr(self.upstream, kind)(details.method, _registered_method=False)
        return factory(_forward(kind, call, forwarded))


def _refuse(request: Any, context: Any) -> Any:
    import grpc

    context.abort(grpc.StatusCode.UNAUTHENTICATED, "the local Spark engine needs the workspace token")


def _forward(kind: str, call: Any, metadata: tuple[tuple[str, Any], ...]) -> Callable[..., Any]:
    import grpc

    def relay_error(err: Any, context: Any) -> None:
        context.set_trailing_metadata(err.trailing_metadata() or ())
        context.abort(err.code(), err.details() or "")

    if kind in ("unary_unary", "stream_unary"):

        def single(request: Any, context: Any) -> Any:
            try:
                return call(request, metadata=metadata, timeout=_deadline(context))
            except grpc.RpcError as err:
                relay_error(err, context)

        return single

    def streamed(request: Any, context: Any) -> Iterator[Any]:
        responses = call(request, metadata=metadata, timeout=_deadline(context))
        context.add_callback(responses.cancel)
        try:
            yield from responses
        except grpc.RpcError as err:
            relay_error(err, context)

    return streamed


def _deadline(context: Any) -> float | None:
    """The caller's deadline, passed on; gRPC reports "none" as a remaining time of ~2**63."""
    remaining = context.time_remaining()
    return remaining if remaining is not None and remaining < 10**9 else None


def start_proxy(socket_path: Path, token: str, port: int) -> tuple[Any, int]:
    """The proxy, listening on localhost:`port` (0: any free port); returns it and its port."""
    import grpc

    # Sail rejects the authority gRPC derives from a socket path: name it plainly.
    options = [*MESSAGE_OPTIONS, ("grpc.default_authority", "localhost")]
    upstream = grpc.insecure_channel(f"unix:{socket_path}", options=options)
    server = grpc.server(
        ThreadPoolExecutor(max_workers=64, thread_name_prefix="engine-proxy"),
        handlers=[TokenProxy(upstream, token)],
        options=MESSAGE_OPTIONS,
    )
    bound = server.add_insecure_port(f"127.0.0.1:{port}")
    if bound == 0:
        raise OSError(errno.EADDRINUSE, f"cannot listen on 127.0.0.1:{port}")
    server.start()
    return server, bound


def _write(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m brickyard.local.engine_guard")
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--ready", type=Path, required=True)
    args = parser.parse_args(argv)
    serve_private(args.socket, args.ready)


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # Sail's threads are stopped; do not wait on them
