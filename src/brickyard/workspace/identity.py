"""Who `${workspace.current_user}` is when validating: asked of the workspace when it can answer.

Validate works with no network and no credentials. For the local workspace (no host) the user is
the local workspace's, known without starting it. For a real host the workspace is asked only when
credentials for it are configured, with a short timeout; otherwise the local user stands in, and
the paths derived from it say so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from brickyard.bundle.identity import CurrentUser
from brickyard.bundle.model import LOCAL_HOSTS
from brickyard.bundle.resolve import local_user
from brickyard.workspace.session import forced_local

_CREDENTIAL_VARS = ("DATABRICKS_TOKEN", "DATABRICKS_CLIENT_ID", "ARM_CLIENT_ID", "AZURE_CLIENT_ID")


def validation_user(
    project_root: Path, environ: Mapping[str, str]
) -> Callable[[str | None, str | None], CurrentUser]:
    def resolve(host: str | None, profile: str | None) -> CurrentUser:
        if (
            host is None
            or host.strip() in LOCAL_HOSTS
            or forced_local(environ)
            or not credentials_configured(host, profile, environ)
        ):
            return local_user(host, profile)
        from brickyard.workspace.session import WorkspaceSession

        try:
            return WorkspaceSession(project_root, environ=environ, timeout_seconds=10).current_user(
                host, profile
            )
        except Exception:  # unreachable or refused: validation goes on offline
            return local_user(host, profile)

    return resolve


def credentials_configured(host: str, profile: str | None, environ: Mapping[str, str]) -> bool:
    if any(environ.get(name) for name in _CREDENTIAL_VARS):
        return True
    config = Path(
        environ.get("DATABRICKS_CONFIG_FILE")
        or Path(environ.get("HOME", "~")).expanduser() / ".databrickscfg"
    )
    import configparser  # only for a target with a host: validating a local one never reads the file

    parser = configparser.ConfigParser()
    try:
        parser.read(config)
    except configparser.Error:
        return False
    if profile:
        return parser.has_section(profile)
    return any(parser.get(s, "host", fallback="").rstrip("/") == host.rstrip("/") for s in parser.sections())
