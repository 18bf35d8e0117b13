"""The target a recovery command works on: its bundle, its client, the project's recovery settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brickyard.bundle import Bundle
from brickyard.context import AppContext
from brickyard.dr.location import Location, open_location
from brickyard.errors import RecoveryError
from brickyard.settings import RecoverySettings, load_settings

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from brickyard.workspace.session import WorkspaceSession


@dataclass
class RecoveryTarget:
    bundle: Bundle
    session: WorkspaceSession
    settings: RecoverySettings

    @property
    def client(self) -> WorkspaceClient:
        return self.session.client()

    def location(self, spec: str | None) -> Location:
        chosen = spec or self.settings.location_for(self.bundle.target)
        if not chosen:
            raise RecoveryError("no backup location: pass --to/--from, or set dr.location in brickyard.yml")
        return open_location(chosen, self.bundle.root, self.client)

    def local_home(self) -> Path | None:
        self.client  # noqa: B018 - connecting is what tells whether the target is the local workspace
        return self.session.local_home

    def grants(self, securable: str, full_name: str) -> list[dict[str, Any]]:
        """Privilege assignments of one securable, as plain JSON (empty where the API has none)."""
        from databricks.sdk.errors import NotFound

        try:
            found = self.client.grants.get(securable_type=securable, full_name=full_name)
        except NotFound:
            return []
        return sorted(
            (
                {"principal": a.principal, "privileges": sorted(_value(p) for p in a.privileges or [])}
                for a in found.privilege_assignments or []
                if a.principal
            ),
            key=lambda g: str(g["principal"]),
        )

    def grant(self, securable: str, full_name: str, grants: list[dict[str, Any]]) -> int:
        """Add the listed privileges (never revokes); returns how many principals got something."""
        from databricks.sdk.service.catalog import PermissionsChange, Privilege

        changes = [
            PermissionsChange(
                principal=str(g["principal"]), add=[Privilege(p) for p in g.get("privileges") or []]
            )
            for g in grants
            if g.get("principal") and g.get("privileges")
        ]
        if changes:
            self.client.grants.update(securable_type=securable, full_name=full_name, changes=changes)
        return len(changes)


def _value(enum: Any) -> str:
    return str(getattr(enum, "value", enum))


def open_recovery(
    ctx: AppContext, target: str | None, variables: Sequence[str], profile: str | None
) -> RecoveryTarget:
    from brickyard.deploy.target import open_target

    opened = open_target(ctx, target, variables, profile)
    return RecoveryTarget(opened.bundle, opened.session, load_settings(opened.bundle.root).dr)
