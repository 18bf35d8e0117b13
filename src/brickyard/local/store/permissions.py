"""Object permissions (`/api/2.0/permissions/{type}/{id}`): stored and answered, never enforced.

The local workspace has one user, so nothing is denied; the ACLs exist so that a deploy that sets
permissions can read them back and see no drift. Levels are checked per object type, and a job or
pipeline keeps exactly one owner, as on a workspace.
"""

from __future__ import annotations

from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.store.db import Database, dumps, loads
from brickyard.local.store.objects import PERMISSION_TYPES

LEVELS: dict[str, tuple[str, ...]] = {
    "jobs": ("CAN_VIEW", "CAN_MANAGE_RUN", "IS_OWNER", "CAN_MANAGE"),
    "pipelines": ("CAN_VIEW", "CAN_RUN", "CAN_MANAGE", "IS_OWNER"),
    "clusters": ("CAN_ATTACH_TO", "CAN_RESTART", "CAN_MANAGE"),
    "directories": ("CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"),
    "notebooks": ("CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"),
    "files": ("CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"),
    "repos": ("CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"),
    **{name: levels for name, (_, _, _, levels) in PERMISSION_TYPES.items()},
}
SINGULAR = {
    "jobs": "job",
    "pipelines": "pipeline",
    "clusters": "cluster",
    "directories": "directory",
    "notebooks": "notebook",
    "files": "file",
    "repos": "repo",
    **{name: singular for name, (_, _, singular, _) in PERMISSION_TYPES.items()},
}
PRINCIPALS = ("user_name", "group_name", "service_principal_name")
_OWNED = ("jobs", "pipelines")


class PermissionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, object_type: str, object_id: str, owner: str) -> dict[str, Any]:
        return self._render(object_type, object_id, self._direct(object_type, object_id, owner))

    def set(self, object_type: str, object_id: str, acl: list[dict[str, Any]], owner: str) -> dict[str, Any]:
        entries = _parse(object_type, acl)
        if object_type in _OWNED and not any(e["permission_level"] == "IS_OWNER" for e in entries):
            current = self._direct(object_type, object_id, owner)
            entries = [e for e in current if e["permission_level"] == "IS_OWNER"] + entries
        return self._store(object_type, object_id, entries)

    def update(
        self, object_type: str, object_id: str, acl: list[dict[str, Any]], owner: str
    ) -> dict[str, Any]:
        entries = self._direct(object_type, object_id, owner)
        for new in _parse(object_type, acl):
            entries = [e for e in entries if (e["kind"], e["principal"]) != (new["kind"], new["principal"])]
            if new["permission_level"] == "IS_OWNER":
                entries = [e for e in entries if e["permission_level"] != "IS_OWNER"]
            entries.append(new)
        return self._store(object_type, object_id, entries)

    def levels(self, object_type: str) -> list[dict[str, str]]:
        return [
            {"permission_level": level, "description": f"{level.replace('_', ' ').title()} permission"}
            for level in LEVELS[object_type]
        ]

    def drop(self, object_type: str, object_id: str) -> None:
        self.db.execute(
            "DELETE FROM permissions WHERE object_type = ? AND object_id = ?", (object_type, object_id)
        )

    def _store(self, object_type: str, object_id: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
        if object_type in _OWNED and sum(e["permission_level"] == "IS_OWNER" for e in entries) > 1:
            raise ApiError.invalid(f"a {SINGULAR[object_type]} has exactly one owner")
        self.db.execute(
            "INSERT INTO permissions(object_type, object_id, acl) VALUES (?, ?, ?) "
            "ON CONFLICT(object_type, object_id) DO UPDATE SET acl = excluded.acl",
            (object_type, object_id, dumps(entries)),
        )
        return self._render(object_type, object_id, entries)

    def _direct(self, object_type: str, object_id: str, owner: str) -> list[dict[str, Any]]:
        row = self.db.one(
            "SELECT acl FROM permissions WHERE object_type = ? AND object_id = ?", (object_type, object_id)
        )
        if row is not None:
            stored: list[dict[str, Any]] = loads(row["acl"])
            return stored
        level = "IS_OWNER" if object_type in _OWNED else "CAN_MANAGE"
        return [{"kind": "user_name", "principal": owner, "permission_level": level}]

    def _render(self, object_type: str, object_id: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
        acl = [
            {
                e["kind"]: e["principal"],
                "all_permissions": [{"permission_level": e["permission_level"], "inherited": False}],
            }
            for e in entries
        ]
        acl.append(
            {
                "group_name": "admins",
                "all_permissions": [
                    {
                        "permission_level": "CAN_MANAGE",
                        "inherited": True,
                        "inherited_from_object": [f"/{object_type}/"],
                    }
                ],
            }
        )
        return {
            "object_id": f"/{object_type}/{object_id}",
            "object_type": SINGULAR[object_type],
            "access_control_list": acl,
        }


def _parse(object_type: str, acl: Any) -> list[dict[str, Any]]:
    if not isinstance(acl, list):
        raise ApiError.invalid("access_control_list must be a list")
    entries = []
    for item in acl:
        if not isinstance(item, dict):
            raise ApiError.invalid("every access control entry must be an object")
        named = [k for k in PRINCIPALS if item.get(k)]
        if len(named) != 1:
            raise ApiError.invalid(
                "an access control entry names exactly one of user_name, group_name, service_principal_name"
            )
        level = item.get("permission_level")
        if level not in LEVELS[object_type]:
            raise ApiError.invalid(
                f"Permission {level} is not valid for {object_type}; "
                f"expected one of {', '.join(LEVELS[object_type])}"
            )
        entries.append({"kind": named[0], "principal": item[named[0]], "permission_level": level})
    return entries
