"""The local workspace's own certificate authority, for the clients that only speak HTTPS/TLS.

The legacy `databricks-cli`, the SQL connector, dbt-databricks and Databricks Connect all insist on
TLS to a workspace. The home keeps a CA made on first use (`tls/ca.pem`, its key `tls/ca-key.pem`)
and a server certificate for `127.0.0.1` and `localhost` signed by it (`tls/server.pem`,
`tls/server-key.pem`). Clients trust the CA file (`REQUESTS_CA_BUNDLE`, `_tls_trusted_ca_file`,
`GRPC_DEFAULT_SSL_ROOTS_FILE_PATH`); nothing is added to the system's trust store. Key files are
0600 and the directory 0700. A certificate that is missing, unreadable, or close to expiry is made
again; the CA is kept as long as it is valid, so a trusted CA file stays good across restarts.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from brickyard.local.home import LocalHome

CA_DAYS = 3650
SERVER_DAYS = 825
RENEW_BEFORE = dt.timedelta(days=30)
SERVER_NAMES = ("localhost",)
SERVER_ADDRESSES = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class TlsFiles:
    ca_file: Path
    """The CA certificate clients trust (PEM)."""
    cert_file: Path
    """The server certificate (PEM), followed by the CA so clients get the full chain."""
    key_file: Path
    """The server's private key (PEM, 0600)."""


def ensure_certificates(home: LocalHome | Path) -> TlsFiles:
    """The CA and server certificate of a local workspace home, made or renewed as needed."""
    root = home.root if isinstance(home, LocalHome) else Path(home)
    directory = root / "tls"
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server-key.pem")
    ca_key_file = directory / "ca-key.pem"
    ca = _load_pair(files.ca_file, ca_key_file)
    renewed_ca = ca is None
    if ca is None:
        ca = _new_ca()
        _write(ca_key_file, _key_pem(ca[1]), private=True)
        _write(files.ca_file, _cert_pem(ca[0]), private=False)
    server = _load_pair(files.cert_file, files.key_file)
    if renewed_ca or server is None or not _issued_by(server[0], ca[0]):
        cert, key = _new_server_cert(*ca)
        _write(files.key_file, _key_pem(key), private=True)
        _write(files.cert_file, _cert_pem(cert) + _cert_pem(ca[0]), private=False)
    return files


# ---- internals ------------------------------------------------------------------------------------


Pair = tuple[x509.Certificate, ec.EllipticCurvePrivateKey]


def _load_pair(cert_file: Path, key_file: Path) -> Pair | None:
    """A certificate and its key if both load, match, and stay valid for a while; else None."""
    try:
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or cert.public_key() != key.public_key():
        return None
    if cert.not_valid_after_utc - RENEW_BEFORE < _now():
        return None
    return cert, key


def _issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _new_ca() -> Pair:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "brickyard"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"brickyard local workspace CA ({os.uname().nodename})"),
        ]
    )
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _new_server_cert(ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey) -> Pair:
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in SERVER_NAMES]
    names += [x509.IPAddress(ipaddress.ip_address(address)) for address in SERVER_ADDRESSES]
    now = _now()
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(min(now + dt.timedelta(days=SERVER_DAYS), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, *, private: bool) -> None:
    """Write through a temporary file created with its final mode, so a key is never readable by others."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    tmp.replace(path)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
