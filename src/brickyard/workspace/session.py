"""One connection to the workspace a target names, through the official databricks-sdk.

A target with a `workspace.host` is a real workspace: authentication follows the SDK's chain
(`--profile`, `~/.databrickscfg`, `DATABRICKS_HOST`/`DATABRICKS_TOKEN`, OAuth machine-to-machine,
Azure service principals). A target without a host, or with `host: local`, is the embedded local
workspace, started on demand. Past this module nothing knows which of the two it talks to.

`--local` (`BRICKYARD_LOCAL=1`) opens any target on the local workspace, its configuration
unchanged: the host it names is recorded as `redirected_from` and never contacted.

`BRICKYARD_LOCAL_WORKSPACE_DIR=<dir>` makes local targets use the local workspace of that directory
instead of the bundle's own, so several bundles (a monorepo, a test suite) can share one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from brickyard.bundle.identity import CurrentUser
from brickyard.bundle.model import LOCAL_HOSTS
from brickyard.errors import WorkspaceError

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

FORCE_LOCAL_ENV = "BRICKYARD_LOCAL"
"""Set to 1 (as `--local` does) to open every target on the embedded local workspace."""


def forced_local(environ: Mapping[str, str]) -> bool:
    return environ.get(FORCE_LOCAL_ENV, "").strip().lower() in ("1", "true", "yes")


@dataclass
class WorkspaceSession:
    """Connects on first use and keeps the client; the bundle loader asks it who deploys."""

    project_root: Path
    profile: str | None = None
    """--profile from the command line; wins over the bundle's workspace.profile."""
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    timeout_seconds: int | None = None
    """Give up on an unreachable workspace after this long (validate uses it to stay snappy)."""
    redirected_from: str | None = None
    """The host the target names when --local opened it on the local workspace instead."""
    _client: WorkspaceClient | None = None
    _host: str | None = None
    _local_root: Path | None = None

    def current_user(self, host: str | None, profile: str | None) -> CurrentUser:
        me = self.client(host, profile).current_user.me()
        name = me.user_name or ""
        if not name:
            raise WorkspaceError(f"{self.host_label} did not say who the current user is")
        return CurrentUser(
            user_name=name,
            display_name=me.display_name or "",
            id=str(me.id or ""),
            is_service_principal=CurrentUser.from_user_name(name).is_service_principal,
        )

    def client(self, host: str | None = None, profile: str | None = None) -> WorkspaceClient:
        if self._client is None:
            self._client = self._connect(host, profile)
        return self._client

    @property
    def host_label(self) -> str:
        return self._host or "the local workspace"

    @property
    def local_home(self) -> Path | None:
        """The embedded local workspace's home when that is what the client talks to (after connecting)."""
        from brickyard.local.home import LocalHome

        return None if self._local_root is None else LocalHome.for_project(self._local_root).root

    @property
    def base_url(self) -> str:
        """The host as links should use it (the local server's URL for the local workspace)."""
        client = self.client()
        return str(client.config.host).rstrip("/")

    def _connect(self, host: str | None, profile: str | None) -> WorkspaceClient:
        if host is not None and host.strip() not in LOCAL_HOSTS and not forced_local(self.environ):
            from brickyard.workspace.reach import PROBE_SECONDS, check_reachable

            # Before the SDK is even imported: an unreachable host is known in seconds.
            check_reachable(host, self.environ, min(self.timeout_seconds or PROBE_SECONDS, PROBE_SECONDS))
        from brickyard.workspace.lean import defer_package

        defer_package()
        if host is not None and host.strip() not in LOCAL_HOSTS and forced_local(self.environ):
            self.redirected_from = host.rstrip("/")
            host = None
        if host is None or host.strip() in LOCAL_HOSTS:
            from brickyard.local.lifecycle import ensure_running

            shared = self.environ.get("BRICKYARD_LOCAL_WORKSPACE_DIR")
            self._local_root = Path(shared) if shared else self.project_root
            local = ensure_running(self._local_root)
            self._host = None
            return _new_client(host=local.host, token=local.token, auth_type="pat")
        self._host = host
        kwargs: dict[str, Any] = {"host": host}
        if self.timeout_seconds:
            kwargs.update(
                http_timeout_seconds=self.timeout_seconds, retry_timeout_seconds=self.timeout_seconds
            )
        chosen = self.profile or profile
        if chosen:
            kwargs["profile"] = chosen
        try:
            client = _new_client(**kwargs)
        except Exception as err:  # the SDK raises ValueError and friends for missing credentials
            raise WorkspaceError(
                f"cannot authenticate to {host}: {err}\n"
                "Configure a profile in ~/.databrickscfg (and pass --profile), set DATABRICKS_TOKEN, or "
                "set DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET for a service principal."
            ) from None
        configured = str(client.config.host or "").rstrip("/")
        if configured and configured != host.rstrip("/"):
            raise WorkspaceError(
                f"profile {chosen!r} points at {configured}, but the target deploys to {host}; "
                "use a profile for that workspace"
            )
        return client


def _new_client(**settings: Any) -> WorkspaceClient:
    """A client as `WorkspaceClient(**settings)` would be, built service by service (`workspace.lean`)."""
    from databricks.sdk.core import Config

    from brickyard.workspace.lean import LeanClient

    # WorkspaceClient's own defaults for the user agent
    config = Config(product="unknown", product_version="0.0.0", **settings)
    return cast("WorkspaceClient", LeanClient(config))
