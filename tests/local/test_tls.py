"""The local workspace's CA and server certificate, and the HTTPS listener that uses them."""

from __future__ import annotations

import json
import ssl
import stat
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from brickyard.local.lifecycle import LocalWorkspace
from brickyard.local.tls import ensure_certificates


def test_certificates_are_made_once_with_private_keys_only_readable_by_the_owner(tmp_path: Path) -> None:
    files = ensure_certificates(tmp_path)
    tls_dir = tmp_path / "tls"
    assert stat.S_IMODE(tls_dir.stat().st_mode) == 0o700
    for key in (files.key_file, tls_dir / "ca-key.pem"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    before = {p.name: p.read_bytes() for p in tls_dir.iterdir()}
    assert ensure_certificates(tmp_path) == files
    assert {p.name: p.read_bytes() for p in tls_dir.iterdir()} == before


def test_a_broken_server_certificate_is_made_again_under_the_same_ca(tmp_path: Path) -> None:
    files = ensure_certificates(tmp_path)
    ca = files.ca_file.read_bytes()
    files.key_file.write_text("not a key")
    ensure_certificates(tmp_path)
    assert files.ca_file.read_bytes() == ca
    context = ssl.create_default_context(cafile=str(files.ca_file))
    context.load_cert_chain(str(files.cert_file), str(files.key_file))  # key matches the new cert


def test_a_lost_ca_key_makes_a_new_ca_and_a_new_server_certificate(tmp_path: Path) -> None:
    files = ensure_certificates(tmp_path)
    ca, cert = files.ca_file.read_bytes(), files.cert_file.read_bytes()
    (tmp_path / "tls" / "ca-key.pem").unlink()
    ensure_certificates(tmp_path)
    assert files.ca_file.read_bytes() != ca and files.cert_file.read_bytes() != cert


@pytest.mark.server
@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_https_listener_serves_the_api_to_clients_that_trust_the_ca(
    local_ws: LocalWorkspace, name: str
) -> None:
    assert local_ws.https_host.startswith("https://127.0.0.1:") and Path(local_ws.ca_file).is_file()
    port = local_ws.https_host.rsplit(":", 1)[1]
    context = ssl.create_default_context(cafile=local_ws.ca_file)
    request = urllib.request.Request(
        f"https://{name}:{port}/api/2.0/preview/scim/v2/Me",
        headers={"Authorization": f"Bearer {local_ws.token}"},
    )
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        assert json.loads(response.read())["userName"] == "tester@brickyard.local"


@pytest.mark.server
def test_https_listener_rejects_clients_that_do_not_trust_the_ca(local_ws: LocalWorkspace) -> None:
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.urlopen(f"{local_ws.https_host}/.well-known/databricks-config", timeout=10)


@pytest.mark.server
def test_sdk_reaches_the_https_listener_with_the_ca_bundle(
    local_ws: LocalWorkspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from databricks.sdk import WorkspaceClient

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", local_ws.ca_file)
    w: Any = WorkspaceClient(host=local_ws.https_host, token=local_ws.token, auth_type="pat")
    assert w.current_user.me().user_name == "tester@brickyard.local"


@pytest.mark.server
def test_discovery_over_https_names_the_https_address(local_ws: LocalWorkspace) -> None:
    context = ssl.create_default_context(cafile=local_ws.ca_file)
    with urllib.request.urlopen(
        f"{local_ws.https_host}/.well-known/databricks-config", context=context
    ) as found:
        assert json.loads(found.read())["oidc_endpoint"] == f"{local_ws.https_host}/oidc"
    with urllib.request.urlopen(f"{local_ws.host}/.well-known/databricks-config") as found:
        assert json.loads(found.read())["oidc_endpoint"] == f"{local_ws.host}/oidc"
