"""What a resource kind is: its API calls and everything plan, apply, drift and summary must know.

Each kind is one subclass, in its own module, declaring in one place:

- its calls: `create`, `read` (the raw `get`), `settings` (the `get` unwrapped to the shape the
  bundle writes), `update`, `_delete`; bodies go through the SDK's API client as the bundle wrote
  them, so a field newer than the installed SDK still reaches the workspace;
- `owned`: instances this bundle created that the state may not list (a create whose answer was
  lost), found by name and deployment metadata across every page; apply adopts the first, drift
  reports the others;
- `rank` (stages run in rank order, deletes in reverse) and `depends_on` (the kinds whose ids its
  settings may reference: they must rank lower);
- `recreate_fields` (cannot change in place), `destructive` (deleting loses data or history),
  `server_filled` and `editable_extras` (what drift must not count), `permission_type` and
  `permission_levels`, `grants_securable`, `url`, `path_fields`;
- `local_note`: what the local workspace cannot do with it (it stores every kind, runs only some);
- the bundle's side, as `databricks bundle validate` resolves it: `bundle_defaults` and
  `fill_defaults` (what the CLI writes into each resource that leaves it out), `shape` (keyed lists
  and orders it writes back), `check` (errors it reports before the API would refuse them), and
  whether top-level `permissions` and `run_as` reach the kind.

Instances are bound to one workspace client; the declarations are class attributes, read without one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

    from brickyard.bundle.node import Node
    from brickyard.errors import Diagnostic

ANY: tuple[Any, ...] = ("<any value>",)
"""In `server_filled` (compared by identity): whatever value the workspace chose."""
DEPLOYER = "<deployer>"
"""In `server_filled`: a user who deployed (a job runs as its creator unless told otherwise)."""

ServerFilled = Mapping[str, tuple[Any, ...]]
"""Shape path (list entries as `[]`, fnmatch patterns) → values a workspace fills in by itself."""


@dataclass(frozen=True)
class Prepare:
    """What a kind may need to turn the bundle's settings into a request body at plan time."""

    root: Path
    """The bundle root: library paths in settings are relative to it."""
    artifact_path: str
    uploads: dict[str, Any]
    """remote path → `ArtifactSource`, filled by kinds that upload local files."""
    warnings: list[str]
    file_path: str = ""
    """Where the bundle's files are synced to."""
    where: tuple[str, ...] = ()
    """The resource's key path (`resources`, kind, key)."""
    locate: Callable[[tuple[str, ...]], str | None] = field(default=lambda path: None)
    """The file (relative to the root) that wrote a key path, when known."""

    def local(self, name: str, value: str) -> Path:
        """A local path written in field `name`, resolved against the file that wrote it."""
        if os.path.isabs(value):
            return Path(value)
        written = self.locate((*self.where, name))
        base = (self.root / written).parent if written else self.root
        return Path(os.path.normpath(base / value))

    def deployed(self, name: str, value: str) -> str:
        """Where a local path in field `name` lands among the synced files; remote paths stay."""
        if value.startswith("/") or ":" in value.split("/")[0] or "${" in value:
            return value
        relative = os.path.relpath(self.local(name, value), self.root).replace(os.sep, "/")
        return f"{self.file_path}/{relative}" if relative != "." else self.file_path


@dataclass(frozen=True)
class BundlePaths:
    """Where a target deploys to, as defaults written into resources refer to it."""

    metadata_file: str
    """The deployment metadata file under the state path ("" when there is none)."""
    resource_path: str
    """`workspace.resource_path`: the folder resources with a parent path are created in."""


@dataclass
class Kind:
    """One resource kind's API, bound to a workspace client. Subclasses declare and fill the calls."""

    client: WorkspaceClient

    name: ClassVar[str] = ""
    """The key under `resources:` (`jobs`)."""
    label: ClassVar[str] = ""
    """One of them, in words (`job`)."""
    rank: ClassVar[int] = 100
    depends_on: ClassVar[tuple[str, ...]] = ()
    recreate_fields: ClassVar[tuple[str, ...]] = ()
    destructive: ClassVar[bool] = False
    server_filled: ClassVar[ServerFilled] = {}
    editable_extras: ClassVar[frozenset[str] | None] = None
    """When set, a field only the workspace has counts as drift only if it is one of these (top
    level): for kinds whose `get` is mostly status."""
    permission_type: ClassVar[str] = ""
    """The /api/2.0/permissions/{type}/{id} object type; "" when the kind has none."""
    permission_levels: ClassVar[Mapping[str, str]] = {}
    """Top-level bundle permission level (CAN_MANAGE, CAN_VIEW, CAN_RUN) → this kind's level."""
    permission_level_enum: ClassVar[tuple[str, ...]] = ()
    """The levels validate accepts in the kind's own `permissions` (warning on any other); () for
    no check."""
    grants_securable: ClassVar[str] = ""
    """The Unity Catalog securable type its `grants` apply to; "" when it takes none."""
    path_fields: ClassVar[tuple[str, ...]] = ()
    """Field paths (list entries as `[]`) that hold workspace paths."""
    schema_root: ClassVar[tuple[str, str, str] | None] = None
    """(databricks.sdk.service module, class, method or "") whose parameters are its fields."""
    extra_fields: ClassVar[Mapping[str, Any]] = {}
    """Fields a bundle may write beyond the API's (schema refs: "str", {"map": "any"}, …)."""
    required_fields: ClassVar[tuple[str, ...] | None] = None
    """Fields validate warns of when a resource leaves them out; None takes the schema's own (the
    required fields of the API type the kind is read as, where it has one)."""
    local_note: ClassVar[str] = ""
    """What the local workspace cannot do with this kind, in plain words; "" when it runs it."""
    name_fields: ClassVar[tuple[str, ...]] = ("name",)
    bundle_defaults: ClassVar[Mapping[str, Any]] = {}
    """Fields `databricks bundle` sets on each resource of the kind that leaves them out."""
    inherits_permissions: ClassVar[bool] = False
    """The bundle's top-level `permissions` reach each resource, mapped by `permission_levels`."""
    deployer_level: ClassVar[str] = "CAN_MANAGE"
    """The level a resource's permissions give the deploying user, as the CLI resolves them (when
    the resource lists any): IS_OWNER where the kind has an owner, CAN_MANAGE elsewhere, "" for
    none. A kind with another owner named gives the deploying user CAN_MANAGE."""
    inherits_run_as: ClassVar[bool] = False
    """The bundle's top-level `run_as` is copied onto each resource that names none."""
    run_as_fields: ClassVar[tuple[str, ...]] = ("user_name", "service_principal_name", "group_name")
    """The identities this kind's `run_as` can hold (a kind without groups refuses a group)."""
    runs_as_owner_only: ClassVar[bool] = False
    """A top-level `run_as` naming someone other than the deploying user is an error for this kind."""
    runs_as_owner_when: ClassVar[str] = ""
    """The boolean field that, when true, makes this kind run as its owner only (what it embeds)."""

    # -- calls ---------------------------------------------------------------------------------

    def do(
        self, method: str, path: str, body: dict[str, Any] | None = None, query: dict[str, Any] | None = None
    ) -> Any:
        return self.client.api_client.do(method, path, body=body, query=query)

    def pages(self, path: str, items: str, query: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a paged list (`next_page_token` → `page_token`)."""
        query = dict(query or {})
        while True:
            page = self.do("GET", path, query=query) or {}
            yield from page.get(items) or []
            token = page.get("next_page_token")
            if not token:
                return
            query = {**query, "page_token": token}

    def create(self, settings: dict[str, Any]) -> str:
        raise NotImplementedError

    def update(self, id: str, settings: dict[str, Any]) -> str:
        """Apply new settings; returns the id (some kinds are addressed by a name that may change)."""
        raise NotImplementedError

    def read(self, id: str) -> dict[str, Any]:
        """The `get` answer as the API gives it; raises the SDK's NotFound when it is gone."""
        raise NotImplementedError

    def settings(self, id: str) -> dict[str, Any]:
        """The deployed settings in the shape the bundle writes them (the `get` unwrapped)."""
        return self.read(id)

    def delete(self, id: str) -> None:
        """Delete; a resource already gone is fine (deleting is idempotent)."""
        from databricks.sdk.errors import NotFound
        from databricks.sdk.errors.base import DatabricksError

        try:
            self._delete(id)
        except NotFound:
            pass
        except DatabricksError as err:
            # jobs/delete and clusters/permanent-delete answer 400 "… does not exist" for a missing id.
            if "does not exist" not in str(err).lower():
                raise

    def _delete(self, id: str) -> None:
        raise NotImplementedError

    def owned(self, settings: Mapping[str, Any]) -> Iterator[str]:
        """Ids of instances carrying this bundle's deployment mark for these settings (none by default)."""
        return iter(())

    def set_permissions(self, id: str, permissions: list[dict[str, Any]]) -> None:
        if not self.permission_type or not permissions:
            return
        acl = [dict(p, permission_level=p.get("level")) for p in permissions]
        for entry in acl:
            entry.pop("level", None)
        self.do("PUT", f"/api/2.0/permissions/{self.permission_type}/{id}", {"access_control_list": acl})

    def set_grants(self, id: str, grants: list[dict[str, Any]]) -> None:
        if not self.grants_securable or not grants:
            return
        changes = [{"principal": g["principal"], "add": list(g.get("privileges", []))} for g in grants]
        path = f"/api/2.1/unity-catalog/permissions/{self.grants_securable}/{quote(id)}"
        self.do("PATCH", path, {"changes": changes})

    # -- descriptions --------------------------------------------------------------------------

    def url(self, host: str, id: str) -> str:
        return host

    @classmethod
    def display_name(cls, config: Mapping[str, Any], key: str) -> str:
        for name in cls.name_fields:
            value = config.get(name)
            if isinstance(value, str) and value:
                return value
        return key

    @classmethod
    def prepare(cls, config: dict[str, Any], context: Prepare) -> dict[str, Any]:
        """The settings as deploy sends them, from the bundle's; local files become uploads."""
        return config

    # -- the bundle's side: what validate fills in and checks, as `databricks bundle` does ------

    @classmethod
    def shape(cls, resource: Node, development: bool) -> None:
        """Once references resolve: what the CLI writes back (keys of keyed lists, list orders)."""

    @classmethod
    def fill_defaults(cls, resource: Node, paths: BundlePaths) -> None:
        """Once paths are translated: what the CLI annotates a deployed resource with."""

    @classmethod
    def apply_bundle_defaults(cls, resource: Node) -> None:
        """Before paths are translated: the defaults the CLI writes into a resource that leaves them out
        (a configuration printed after a path error already has them)."""
        from brickyard.bundle.node import set_default

        for key, value in cls.bundle_defaults.items():
            set_default(resource, key, value)

    @classmethod
    def check(cls, key: str, resource: Node, diags: list[Diagnostic]) -> None:
        """Errors validate reports before the API would refuse the resource at deploy."""


def map_paths(value: Any, path: str, change: Callable[[str], str]) -> Any:
    """`value` with the strings at `path` (`a.b[].c`, list entries as `[]`) passed through `change`."""
    if not path:
        return change(value) if isinstance(value, str) else value
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        name = head[:-2]
        if not isinstance(value, dict) or not isinstance(value.get(name), list):
            return value
        return {**value, name: [map_paths(item, rest, change) for item in value[name]]}
    if not isinstance(value, dict) or head not in value:
        return value
    return {**value, head: map_paths(value[head], rest, change)}


def metadata_path(settings: Mapping[str, Any]) -> str:
    """The deployment metadata path `databricks bundle` writes into jobs and pipelines it owns."""
    deployment = settings.get("deployment")
    return str(deployment.get("metadata_file_path") or "") if isinstance(deployment, dict) else ""
