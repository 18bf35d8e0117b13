"""Unity Catalog and Delta maintenance statements the engine does not parse.

Setup notebooks and SQL files written for Databricks start with them; the local engine (Sail)
knows none of them, so they are carried out here:

- `GRANT`, `REVOKE`, `OPTIMIZE`, `VACUUM`, `ANALYZE TABLE`, `COMMENT ON`: accepted with no
  effect. The local workspace enforces no privileges, file layout and statistics change no rows,
  and the engine keeps no comments.
- `CREATE [EXTERNAL] VOLUME [IF NOT EXISTS] name [LOCATION '…'] [COMMENT '…']`: created through the
  local workspace's volumes API (a task has its address and token), so `/Volumes/c/s/v` exists and
  Catalog Explorer lists it.
- `CREATE CATALOG [IF NOT EXISTS] name`: accepted when the workspace has the catalog. The engine's
  catalogs are fixed while it runs, so a new one cannot be made inside a run; the error says how
  to have it before (`deploy --local` creates the catalogs a bundle uses).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from brickyard.local.apierror import ApiError
from brickyard.local.sql.text import NAME, NAME_PART

_STRING = r"'((?:[^'\\]|\\.)*)'"
NO_EFFECT = re.compile(r"^(GRANT|REVOKE|OPTIMIZE|VACUUM|ANALYZE\s+TABLES?|COMMENT\s+ON)\b", re.I)
_VOLUME = re.compile(
    rf"^CREATE\s+(EXTERNAL\s+)?VOLUME\s+(IF\s+NOT\s+EXISTS\s+)?({NAME})"
    rf"(?:\s+LOCATION\s+{_STRING})?(?:\s+COMMENT\s+{_STRING})?\s*$",
    re.I | re.S,
)
_CATALOG = re.compile(rf"^CREATE\s+CATALOG\s+(IF\s+NOT\s+EXISTS\s+)?({NAME_PART})\b", re.I)
CREATES = re.compile(r"^CREATE\s+((EXTERNAL\s+)?VOLUME|CATALOG)\b", re.I)
"""The statements that need the workspace's API (`handle` with an `Api`)."""


class UnitySqlError(Exception):
    """A Unity Catalog statement that cannot be carried out; the message says why, as Databricks would."""


def parts(name: str) -> list[str]:
    """`a.`b c`.d` -> ['a', 'b c', 'd'] (lower case unless quoted, as Unity Catalog names are)."""
    found = re.findall(NAME_PART, name)
    return [p[1:-1].replace("``", "`") if p.startswith("`") else p.lower() for p in found]


@dataclass(frozen=True)
class Api:
    """The local workspace's REST API, as a task reaches it (its URL and the task's token)."""

    host: str
    token: str

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        import urllib.error  # only a statement that needs the API pays for the import
        import urllib.request

        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.host.rstrip("/") + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                doc = json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as err:
            try:
                problem = json.loads(err.read() or b"{}")
            except ValueError:
                problem = {}
            message = str(problem.get("message") or err)
            raise ApiError(err.code, str(problem.get("error_code") or ""), message) from None
        return doc if isinstance(doc, dict) else {}


def handle(
    statement: str,
    catalog: str,
    schema: str,
    api: Api | None,
    engine_schemas: Callable[[str], set[str]] = lambda catalog: set(),
) -> bool:
    """Carry out `statement` (blanks and comments already stripped) if it is one of these; False
    when it is not. `catalog` and `schema` are where unqualified names go; `engine_schemas(c)` are
    the schemas the session's engine has in catalog `c` (a task publishes the ones it creates when
    it ends, so the workspace may not list them yet)."""
    if NO_EFFECT.match(statement):
        return True
    if (match := _VOLUME.match(statement)) is not None:
        _create_volume(match, catalog, schema, _needs(api, "CREATE VOLUME"), engine_schemas)
        return True
    if (match := _CATALOG.match(statement)) is not None:
        _create_catalog(match, _needs(api, "CREATE CATALOG"))
        return True
    return False


def _needs(api: Api | None, what: str) -> Api:
    if api is None:
        raise UnitySqlError(f"{what} needs the workspace's API, which this session does not have")
    return api


def _create_volume(
    match: re.Match[str], catalog: str, schema: str, api: Api, engine_schemas: Callable[[str], set[str]]
) -> None:
    names = parts(match.group(3))
    if len(names) > 3:
        raise UnitySqlError(f"[INVALID_VOLUME_NAME] {match.group(3)} has more than three parts")
    full = [catalog, schema][: 3 - len(names)] + names
    body: dict[str, Any] = {
        "catalog_name": full[0],
        "schema_name": full[1],
        "name": full[2],
        "volume_type": "EXTERNAL" if match.group(1) else "MANAGED",
    }
    if match.group(4) is not None:
        body["storage_location"] = match.group(4)
    if match.group(5) is not None:
        body["comment"] = match.group(5)
    try:
        try:
            api.call("POST", "/api/2.1/unity-catalog/volumes", body)
        except ApiError as answer:
            if answer.error_code != "SCHEMA_DOES_NOT_EXIST" or full[1] not in engine_schemas(full[0]):
                raise
            # created earlier in this task: the workspace learns of it now instead of at the end
            api.call("POST", "/api/2.1/unity-catalog/schemas", {"catalog_name": full[0], "name": full[1]})
            api.call("POST", "/api/2.1/unity-catalog/volumes", body)
    except ApiError as answer:
        if answer.error_code == "RESOURCE_ALREADY_EXISTS" and match.group(2):
            return
        raise UnitySqlError(f"[{answer.error_code or answer.status}] {answer.message}") from None


def _create_catalog(match: re.Match[str], api: Api) -> None:
    (name,) = parts(match.group(2))
    try:
        api.call("GET", f"/api/2.1/unity-catalog/catalogs/{name}")
    except ApiError as answer:
        if answer.status != 404:
            raise UnitySqlError(f"[{answer.error_code or answer.status}] {answer.message}") from None
        raise UnitySqlError(
            f"[LOCAL_ENGINE_LIMIT] CREATE CATALOG {name}: the local engine's catalogs are fixed while "
            "it runs, so a run cannot add one. Create it before the run: `brickyard deploy --local` "
            "creates the catalogs a bundle uses, or create it in the UI or with "
            "`w.catalogs.create(name=...)`."
        ) from None
    if not match.group(1):
        raise UnitySqlError(f"[CATALOG_ALREADY_EXISTS] Catalog '{name}' already exists.")
