"""Where a target's secret values come from: environment variables, a file, HashiCorp Vault, or
Azure Key Vault, as `brickyard.yml` declares under `secrets.backends.<target>`.

A backend answers one question, the value of a key, and never says a value in an error. The Vault
and Key Vault clients are optional extras, imported only when a target uses them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from brickyard.errors import SecretsError
from brickyard.settings import (
    AzureKeyVaultSecretBackend,
    EnvSecretBackend,
    FileSecretBackend,
    SecretBackend,
    VaultSecretBackend,
)


class Backend(Protocol):
    label: str

    def get(self, key: str) -> str: ...


def open_backend(config: SecretBackend, root: Path, environ: Mapping[str, str]) -> Backend:
    if isinstance(config, EnvSecretBackend):
        return EnvBackend(config.prefix, environ)
    if isinstance(config, FileSecretBackend):
        return FileBackend(root / config.path)
    if isinstance(config, VaultSecretBackend):
        return VaultBackend(config, root, environ)
    if isinstance(config, AzureKeyVaultSecretBackend):
        return AzureKeyVaultBackend(config.vault_url)
    raise SecretsError(f"unknown secret backend {config!r}")


def env_name(prefix: str, key: str) -> str:
    """`db-password` with prefix `APP_` is `APP_DB_PASSWORD`."""
    return prefix + re.sub(r"[^A-Za-z0-9]", "_", key).upper()


class EnvBackend:
    def __init__(self, prefix: str, environ: Mapping[str, str]) -> None:
        self.prefix = prefix
        self.environ = environ
        self.label = "environment variables"

    def get(self, key: str) -> str:
        name = env_name(self.prefix, key)
        value = self.environ.get(name)
        if value is None:
            raise SecretsError(f"secret {key!r}: environment variable {name} is not set")
        return value


class FileBackend:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = f"file {path.name}"
        self._values: dict[str, Any] | None = None

    def get(self, key: str) -> str:
        values = self._load()
        if key not in values:
            raise SecretsError(f"secret {key!r} is not in {self.path}")
        value = values[key]
        if not isinstance(value, str):
            raise SecretsError(f"secret {key!r} in {self.path} must be a string")
        return value

    def _load(self) -> dict[str, Any]:
        if self._values is None:
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise SecretsError(f"secrets file {self.path} not found") from None
            except (OSError, ValueError) as exc:
                # The parser's message may quote the file's text, so it is not repeated here.
                raise SecretsError(
                    f"secrets file {self.path} is not a JSON object ({type(exc).__name__})"
                ) from None
            if not isinstance(loaded, dict):
                raise SecretsError(f"secrets file {self.path} must hold a JSON object of key to value")
            self._values = loaded
        return self._values


class VaultBackend:
    """One KV v2 secret; its fields are the keys."""

    def __init__(self, config: VaultSecretBackend, root: Path, environ: Mapping[str, str]) -> None:
        self.config = config
        self.label = f"Vault {config.url} {config.mount}/{config.path}"
        token = environ.get(config.token_env)
        if not token:
            raise SecretsError(f"the Vault token variable {config.token_env} is not set")
        self._token = token
        self._verify: bool | str = str(root / config.ca_bundle) if config.ca_bundle else True
        self._data: dict[str, Any] | None = None

    def get(self, key: str) -> str:
        data = self._read()
        if key not in data:
            raise SecretsError(f"secret {key!r} is not a field of {self.label}")
        return str(data[key])

    def _read(self) -> dict[str, Any]:
        if self._data is None:
            hvac = _optional("hvac", "secrets-vault")
            client = hvac.Client(url=self.config.url, token=self._token, verify=self._verify)
            try:
                response = client.secrets.kv.v2.read_secret_version(
                    path=self.config.path, mount_point=self.config.mount, raise_on_deleted_version=True
                )
            except Exception as exc:
                raise SecretsError(f"reading {self.label} failed: {type(exc).__name__}: {exc}") from None
            self._data = dict(response["data"]["data"])
        return self._data


class AzureKeyVaultBackend:
    def __init__(self, vault_url: str, credential: Any = None) -> None:
        self.vault_url = vault_url
        self.label = f"Azure Key Vault {vault_url}"
        self._credential = credential
        self._client: Any = None

    def get(self, key: str) -> str:
        name = key.replace("_", "-")
        try:
            value = self._secret_client().get_secret(name).value
        except SecretsError:
            raise
        except Exception as exc:
            raise SecretsError(
                f"reading secret {name!r} from {self.label} failed: {type(exc).__name__}"
            ) from None
        if value is None:
            raise SecretsError(f"secret {name!r} in {self.label} has no value")
        return str(value)

    def _secret_client(self) -> Any:
        if self._client is None:
            keyvault = _optional("azure.keyvault.secrets", "secrets-azure")
            credential = self._credential
            if credential is None:
                credential = _optional("azure.identity", "secrets-azure").DefaultAzureCredential()
            self._client = keyvault.SecretClient(vault_url=self.vault_url, credential=credential)
        return self._client


def _optional(module: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise SecretsError(
            f"this secret backend needs {module.split('.')[0]}: install brickyard[{extra}]"
        ) from None
