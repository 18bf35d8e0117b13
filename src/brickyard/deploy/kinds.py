"""How each resource kind is created, updated, read and deleted through the REST API.

Bodies go through the SDK's API client as the bundle wrote them, so a field newer than the
installed SDK still reaches the workspace. Every method is one API call; `exists` is a read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient


@dataclass
class Kind:
    """The API of one resource kind. Subclasses fill the calls."""

    client: WorkspaceClient
    kind = ""
    permission_type = ""
    """The /api/2.0/permissions/{type}/{id} object type, or "" when the kind has none."""

    def _do(
        self, method: str, path: str, body: dict[str, Any] | None = None, query: dict[str, Any] | None = None
    ) -> Any:
        return self.client.api_client.do(method, path, body=body, query=query)

    def create(self, settings: dict[str, Any]) -> str:
        raise NotImplementedError

    def update(self, id: str, settings: dict[str, Any]) -> str:
        """Apply new settings; returns the id (UC objects are addressed by name, which may change)."""
        raise NotImplementedError

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

    def get(self, id: str) -> dict[str, Any]:
        raise NotImplementedError

    def url(self, host: str, id: str) -> str:
        return host

    def set_permissions(self, id: str, permissions: list[dict[str, Any]]) -> None:
        if self.permission_type and permissions:
            acl = [dict(p, permission_level=p.get("level")) for p in permissions]
            for entry in acl:
                entry.pop("level", None)
            self._do("PUT", f"/api/2.0/permissions/{self.permission_type}/{id}", {"access_control_list": acl})


class Jobs(Kind):
    kind = "jobs"
    permission_type = "jobs"

    def create(self, settings: dict[str, Any]) -> str:
        return str(self._do("POST", "/api/2.2/jobs/create", settings)["job_id"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        self._do("POST", "/api/2.2/jobs/reset", {"job_id": int(id), "new_settings": settings})
        return id

    def _delete(self, id: str) -> None:
        self._do("POST", "/api/2.2/jobs/delete", {"job_id": int(id)})

    def get(self, id: str) -> dict[str, Any]:
        return dict(self._do("GET", "/api/2.2/jobs/get", query={"job_id": id}))

    def url(self, host: str, id: str) -> str:
        return f"{host}/#job/{id}"


class Pipelines(Kind):
    kind = "pipelines"
    permission_type = "pipelines"

    def create(self, settings: dict[str, Any]) -> str:
        return str(self._do("POST", "/api/2.0/pipelines", settings)["pipeline_id"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        self._do("PUT", f"/api/2.0/pipelines/{id}", {**settings, "id": id, "pipeline_id": id})
        return id

    def _delete(self, id: str) -> None:
        self._do("DELETE", f"/api/2.0/pipelines/{id}")

    def get(self, id: str) -> dict[str, Any]:
        return dict(self._do("GET", f"/api/2.0/pipelines/{id}"))

    def url(self, host: str, id: str) -> str:
        return f"{host}/#joblist/pipelines/{id}"


class Clusters(Kind):
    kind = "clusters"
    permission_type = "clusters"

    def create(self, settings: dict[str, Any]) -> str:
        return str(self._do("POST", "/api/2.1/clusters/create", settings)["cluster_id"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        self._do("POST", "/api/2.1/clusters/edit", {**settings, "cluster_id": id})
        return id

    def _delete(self, id: str) -> None:
        self._do("POST", "/api/2.1/clusters/permanent-delete", {"cluster_id": id})

    def get(self, id: str) -> dict[str, Any]:
        return dict(self._do("GET", "/api/2.1/clusters/get", query={"cluster_id": id}))

    def url(self, host: str, id: str) -> str:
        return f"{host}/#setting/clusters/{id}/configuration"


class Schemas(Kind):
    """Unity Catalog schemas, addressed by `catalog.schema`."""

    kind = "schemas"

    def create(self, settings: dict[str, Any]) -> str:
        return str(self._do("POST", "/api/2.1/unity-catalog/schemas", settings)["full_name"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        body = {k: settings[k] for k in ("comment", "properties") if k in settings}
        result = self._do("PATCH", f"/api/2.1/unity-catalog/schemas/{quote(id)}", body)
        return str(result.get("full_name") or id) if isinstance(result, dict) else id

    def _delete(self, id: str) -> None:
        # Jobs fill a bundle's schema with tables; deleting the schema (confirmed as destructive)
        # takes them along, as `databricks bundle destroy` does.
        self._do("DELETE", f"/api/2.1/unity-catalog/schemas/{quote(id)}", query={"force": "true"})

    def get(self, id: str) -> dict[str, Any]:
        return dict(self._do("GET", f"/api/2.1/unity-catalog/schemas/{quote(id)}"))

    def url(self, host: str, id: str) -> str:
        return f"{host}/explore/data/{id.replace('.', '/')}"

    def set_grants(self, id: str, grants: list[dict[str, Any]]) -> None:
        _set_grants(self, "schema", id, grants)


class Volumes(Kind):
    """Unity Catalog volumes, addressed by `catalog.schema.volume`."""

    kind = "volumes"

    def create(self, settings: dict[str, Any]) -> str:
        return str(self._do("POST", "/api/2.1/unity-catalog/volumes", settings)["full_name"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        body = {k: settings[k] for k in ("comment",) if k in settings}
        result = self._do("PATCH", f"/api/2.1/unity-catalog/volumes/{quote(id)}", body)
        return str(result.get("full_name") or id) if isinstance(result, dict) else id

    def _delete(self, id: str) -> None:
        self._do("DELETE", f"/api/2.1/unity-catalog/volumes/{quote(id)}")

    def get(self, id: str) -> dict[str, Any]:
        return dict(self._do("GET", f"/api/2.1/unity-catalog/volumes/{quote(id)}"))

    def url(self, host: str, id: str) -> str:
        return f"{host}/explore/data/volumes/{id.replace('.', '/')}"

    def set_grants(self, id: str, grants: list[dict[str, Any]]) -> None:
        _set_grants(self, "volume", id, grants)


def _set_grants(kind: Kind, securable: str, full_name: str, grants: list[dict[str, Any]]) -> None:
    if not grants:
        return
    changes = [{"principal": g["principal"], "add": list(g.get("privileges", []))} for g in grants]
    kind._do(
        "PATCH", f"/api/2.1/unity-catalog/permissions/{securable}/{quote(full_name)}", {"changes": changes}
    )


KINDS: dict[str, type[Kind]] = {k.kind: k for k in (Jobs, Pipelines, Clusters, Schemas, Volumes)}


def kinds_for(client: WorkspaceClient) -> dict[str, Kind]:
    return {name: cls(client) for name, cls in KINDS.items()}
