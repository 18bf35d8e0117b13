"""Put a target's secret values into its scopes: `brickyard secrets sync -t T`, and deploy after it
has created the bundle's scopes.

`brickyard.yml` names the keys of each scope (`secrets.scopes`) and where the target's values come
from (`secrets.backends.<target>`). A scope is named by its scope name or by the key of a bundle
`secret_scopes` resource, whose resolved `name` may differ per target (`kv-${var.env}`); a scope the
bundle defines is created when missing. Values go from the backend straight to `put_secret`: they
are never printed, logged, or written to state or release records; the report lists keys only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brickyard.bundle.model import Bundle
from brickyard.errors import SecretsError
from brickyard.secrets.backends import Backend, open_backend
from brickyard.settings import Settings


@dataclass
class SyncReport:
    backend: str = ""
    put: dict[str, list[str]] = field(default_factory=dict)
    """Keys written, by scope name."""
    created: list[str] = field(default_factory=list)
    """Scopes created because the bundle defines them and they were missing."""


def configured(settings: Settings, target: str) -> bool:
    return bool(settings.secrets.scopes) and target in settings.secrets.backends


def scope_names(bundle: Bundle, settings: Settings) -> dict[str, str]:
    """Each configured scope's name on this target, by its key in `secrets.scopes`."""
    defined = bundle.resources("secret_scopes")
    return {key: str((defined.get(key) or {}).get("name") or key) for key in settings.secrets.scopes}


@dataclass
class Values:
    """What a sync puts: by scope name, key to value. Held in memory only, never rendered."""

    backend: str
    scopes: dict[str, dict[str, str]] = field(repr=False)


def read_values(
    bundle: Bundle, settings: Settings, environ: Mapping[str, str], backend: Backend | None = None
) -> Values:
    """Every configured key's value from the target's backend; the first one missing stops it all."""
    target = bundle.target
    config = settings.secrets.backends.get(target)
    if config is None:
        known = ", ".join(sorted(settings.secrets.backends)) or "none"
        raise SecretsError(
            f"brickyard.yml has no secret backend for target {target} (secrets.backends has: {known})"
        )
    backend = backend or open_backend(config, Path(settings.root), environ)
    defined = bundle.resources("secret_scopes")
    scopes: dict[str, dict[str, str]] = {}
    for key, name in scope_names(bundle, settings).items():
        if str((defined.get(key) or {}).get("backend_type") or "").upper() == "AZURE_KEYVAULT":
            raise SecretsError(
                f"secret scope {name} is backed by Azure Key Vault: its values are managed in the vault"
            )
        scopes[name] = {secret: backend.get(secret) for secret in settings.secrets.scopes[key]}
    return Values(backend.label, scopes)


def put_values(client: Any, bundle: Bundle, settings: Settings, values: Values) -> SyncReport:
    """Put `values` into their scopes, creating a missing scope the bundle defines."""
    report = SyncReport(backend=values.backend)
    existing = {scope.name for scope in client.secrets.list_scopes()}
    defined = {
        name
        for key, name in scope_names(bundle, settings).items()
        if key in bundle.resources("secret_scopes")
    }
    for name, secrets in values.scopes.items():
        if name not in existing:
            if name not in defined:
                raise SecretsError(
                    f"secret scope {name} does not exist on target {bundle.target}; declare it under "
                    "resources.secret_scopes or create it first"
                )
            client.secrets.create_scope(scope=name)
            report.created.append(name)
        for secret, value in secrets.items():
            client.secrets.put_secret(scope=name, key=secret, string_value=value)
        report.put[name] = sorted(secrets)
    return report


def sync_secrets(
    client: Any,
    bundle: Bundle,
    settings: Settings,
    environ: Mapping[str, str],
    backend: Backend | None = None,
) -> SyncReport:
    return put_values(client, bundle, settings, read_values(bundle, settings, environ, backend))
