"""Tiny local servers speaking the HTTP APIs secret backends read: Vault KV v2 and Azure Key Vault."""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        status, body = self.server.answer(self)
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in self.server.headers_for(status).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[str] = []

    def answer(self, request: _Handler) -> tuple[int, Any]:
        raise NotImplementedError

    def headers_for(self, status: int) -> dict[str, str]:
        return {}


class VaultServer(_Server):
    """`GET /v1/<mount>/data/<path>` with `X-Vault-Token`, as Vault's KV v2 engine answers it."""

    def __init__(self, token: str, secrets: dict[str, dict[str, str]]) -> None:
        super().__init__()
        self.token = token
        self.secrets = secrets

    def answer(self, request: _Handler) -> tuple[int, Any]:
        self.requests.append(request.path)
        if request.headers.get("X-Vault-Token") != self.token:
            return 403, {"errors": ["permission denied"]}
        path = urlparse(request.path).path.removeprefix("/v1/")
        if path not in self.secrets:
            return 404, {"errors": []}
        metadata = {
            "created_time": "2026-01-01T00:00:00Z",
            "deletion_time": "",
            "destroyed": False,
            "version": 1,
        }
        return 200, {"data": {"data": self.secrets[path], "metadata": metadata}}


class KeyVaultServer(_Server):
    """`GET /secrets/<name>?api-version=…` with a bearer token, as Azure Key Vault answers it."""

    def __init__(self, token: str, secrets: dict[str, str]) -> None:
        super().__init__()
        self.token = token
        self.secrets = secrets

    def headers_for(self, status: int) -> dict[str, str]:
        if status != 401:
            return {}
        # The challenge a vault sends an unauthenticated request: which tenant and resource to ask
        # for. The client checks that the resource is a parent domain of the vault's host (as
        # vault.azure.net is of <name>.vault.azure.net); for 127.0.0.1:<port> that is 0.0.1:<port>.
        port = self.server_address[1]
        return {
            "WWW-Authenticate": 'Bearer authorization="https://login.invalid/tenant-id", '
            f'resource="https://0.0.1:{port}"'
        }

    def answer(self, request: _Handler) -> tuple[int, Any]:
        self.requests.append(request.path)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": {"code": "Unauthorized", "message": "no token"}}
        parsed = urlparse(request.path)
        name = parsed.path.removeprefix("/secrets/").strip("/").split("/")[0]
        if name not in self.secrets:
            return 404, {
                "error": {
                    "code": "SecretNotFound",
                    "message": f"A secret with (name/id) {name} was not found",
                }
            }
        url = f"https://{request.headers.get('Host')}/secrets/{name}/0123456789abcdef"
        return 200, {"value": self.secrets[name], "id": url, "attributes": {"enabled": True}}


@contextmanager
def serving(server: _Server, tls: tuple[Path, Path] | None = None) -> Iterator[str]:
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, written to `directory` (the cert is its own CA)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file
