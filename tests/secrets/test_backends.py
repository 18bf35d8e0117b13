"""Secret backends read values with the real clients: env, file, Vault (hvac) and Key Vault (azure)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from brickyard.errors import SecretsError
from brickyard.secrets.backends import AzureKeyVaultBackend, EnvBackend, FileBackend, VaultBackend
from brickyard.settings import VaultSecretBackend
from tests.secrets.servers import KeyVaultServer, VaultServer, self_signed, serving


def test_env_backend_maps_keys_to_prefixed_variables() -> None:
    backend = EnvBackend("APP_", {"APP_DB_PASSWORD": "from-env"})
    assert backend.get("db-password") == "from-env"
    with pytest.raises(SecretsError, match="environment variable APP_API_TOKEN is not set"):
        backend.get("api.token")


def test_file_backend_reads_a_json_object_and_never_quotes_it(tmp_path: Path) -> None:
    path = tmp_path / "local.json"
    path.write_text('{"db-password": "from-file", "n": 3}')
    backend = FileBackend(path)
    assert backend.get("db-password") == "from-file"
    with pytest.raises(SecretsError, match="'missing' is not in"):
        backend.get("missing")
    with pytest.raises(SecretsError, match="must be a string"):
        backend.get("n")
    path.write_text('{"db-password": "half-written-s3cret')
    with pytest.raises(SecretsError) as info:
        FileBackend(path).get("db-password")
    assert "s3cret" not in str(info.value)


def test_vault_backend_reads_kv_v2_fields(tmp_path: Path) -> None:
    server = VaultServer("vault-token", {"kv/data/apps/etl": {"db-password": "from-vault"}})
    with serving(server) as url:
        config = VaultSecretBackend(type="vault", url=url, mount="kv", path="apps/etl")
        backend = VaultBackend(config, tmp_path, {"VAULT_TOKEN": "vault-token"})
        assert backend.get("db-password") == "from-vault"
        with pytest.raises(SecretsError, match="'other' is not a field"):
            backend.get("other")
        wrong = VaultBackend(config, tmp_path, {"VAULT_TOKEN": "wrong"})
        with pytest.raises(SecretsError, match="Forbidden"):
            wrong.get("db-password")
    assert server.requests[0] == "/v1/kv/data/apps/etl"
    with pytest.raises(SecretsError, match="VAULT_TOKEN is not set"):
        VaultBackend(config, tmp_path, {})


class StaticToken:
    """A credential handing out one bearer token, as a service principal's would."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken("kv-token", int(time.time()) + 3600)


def test_azure_key_vault_backend_reads_secrets_over_https(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    server = KeyVaultServer("kv-token", {"db-password": "from-key-vault"})
    with serving(server, (cert, key)) as url:
        backend = AzureKeyVaultBackend(url, StaticToken())
        assert backend.get("db_password") == "from-key-vault"
        with pytest.raises(
            SecretsError, match=r"'missing' from Azure Key Vault .* failed: ResourceNotFoundError"
        ):
            backend.get("missing")
    assert any(p.startswith("/secrets/db-password/?api-version=") for p in server.requests), server.requests


def test_a_missing_optional_client_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "hvac", None)
    monkeypatch.setitem(sys.modules, "azure.keyvault.secrets", None)
    config = VaultSecretBackend(type="vault", url="http://127.0.0.1:9", path="p")
    with pytest.raises(SecretsError, match=r"needs hvac: install brickyard\[secrets-vault\]"):
        VaultBackend(config, tmp_path, {"VAULT_TOKEN": "t"}).get("k")
    with pytest.raises(SecretsError, match=r"needs azure: install brickyard\[secrets-azure\]"):
        AzureKeyVaultBackend("https://kv.vault.azure.net", StaticToken()).get("k")


def test_settings_name_a_bad_backend_by_file_and_key(tmp_path: Path) -> None:
    from brickyard.errors import BundleError
    from brickyard.settings import load_settings

    (tmp_path / "brickyard.yml").write_text(
        "secrets:\n  baseline: .b\n  backends:\n    dev: {type: env, prefix: D_}\n    prod: {type: s3}\n"
    )
    with pytest.raises(BundleError) as info:
        load_settings(tmp_path)
    assert "secrets.backends.prod" in str(info.value)
    assert "brickyard.yml:5" in str(info.value)
    (tmp_path / "brickyard.yml").write_text("secrets:\n  baseline: .b\n  backends:\n    dev: {type: env}\n")
    settings = load_settings(tmp_path).secrets
    assert settings.baseline == ".b" and settings.backends["dev"].type == "env"
