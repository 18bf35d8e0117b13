"""Where tests receive alerts: a real SMTP server (aiosmtpd) and a webhook endpoint, on loopback.

Both keep what they received and let a test wait for it with a deadline.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.host = "127.0.0.1"
        self.port = 0
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._arrived:
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self._arrived.notify_all()
        return "250 OK"

    def wait(self, count: int = 1, to: str | None = None, timeout: float = 20.0) -> list[EmailMessage]:
        """The messages (to `to`, when given) once there are `count` of them."""

        def mine() -> list[EmailMessage]:
            return [m for m in self.messages if to is None or m["To"] == to]

        with self._arrived:
            if not self._arrived.wait_for(lambda: len(mine()) >= count, timeout):
                raise AssertionError(f"{len(mine())} message(s) arrived, expected {count}")
            return mine()


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox()
    box.port = _free_port()  # aiosmtpd's start connects to its port, so it cannot be 0
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Webhook:
    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.url = ""
        self.status = 200
        self._arrived = threading.Condition()

    def received(self, path: str, payload: dict[str, Any]) -> None:
        with self._arrived:
            self.paths.append(path)
            self.payloads.append(payload)
            self._arrived.notify_all()

    def wait(self, count: int = 1, timeout: float = 20.0) -> list[dict[str, Any]]:
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.payloads) >= count, timeout):
                raise AssertionError(f"{len(self.payloads)} payload(s) arrived, expected {count}")
            return list(self.payloads)

    def quiet_for(self, seconds: float) -> int:
        """How many payloads there are after `seconds` more of waiting."""
        time.sleep(seconds)
        return len(self.payloads)


@contextmanager
def webhook_receiver() -> Iterator[Webhook]:
    hook = Webhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            hook.received(self.path, json.loads(self.rfile.read(length) or b"{}"))
            self.send_response(hook.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hook/T0KEN-SECRET"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        server.shutdown()
        server.server_close()
