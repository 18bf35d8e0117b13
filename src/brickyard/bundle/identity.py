"""The deploying identity, as `${workspace.current_user.*}` exposes it.

The embedded local workspace has one user: `BRICKYARD_LOCAL_USER` when set, else
`<os user>@brickyard.local`. The local server reports that user, and the bundle loader uses the
same name when a target has no reachable workspace, so validate, deploy and the server agree on
paths like `/Workspace/Users/<user>/.bundle/...`.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


@dataclass(frozen=True)
class CurrentUser:
    user_name: str
    display_name: str = ""
    id: str = ""
    is_service_principal: bool = False

    @property
    def short_name(self) -> str:
        """`jane.doe@example.com` → `jane_doe`, as the Databricks CLI derives it for dev prefixes."""
        local = self.user_name.split("@", 1)[0]
        return re.sub(r"[^A-Za-z0-9]+", "_", local).strip("_").lower() or "user"

    def as_config(self) -> dict[str, Any]:
        """The fields `databricks bundle validate` reports under `workspace.current_user`, no others."""
        return {
            "domain_friendly_name": self.short_name,
            "id": self.id or user_id(self.user_name),
            "short_name": self.short_name,
            "userName": self.user_name,
        }

    @classmethod
    def from_user_name(cls, user_name: str) -> CurrentUser:
        # Service principals are addressed by their application id, a UUID.
        return cls(
            user_name=user_name, id=user_id(user_name), is_service_principal=bool(_UUID.match(user_name))
        )


def user_id(user_name: str) -> str:
    """A stable numeric id for a user the workspace was not asked about (the local server's formula)."""
    return str(int(hashlib.sha256(user_name.encode()).hexdigest()[:12], 16))


def local_user_name(environ: Mapping[str, str] | None = None) -> str:
    configured = (os.environ if environ is None else environ).get("BRICKYARD_LOCAL_USER", "").strip()
    if configured:
        return configured
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    return f"{user or 'user'}@brickyard.local"
