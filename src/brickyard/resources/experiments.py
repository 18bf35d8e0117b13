"""MLflow experiments (`/api/2.0/mlflow/experiments`), named by a workspace path. Deleting one
loses its runs; renaming is the only change made in place."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from brickyard.resources.base import ANY, Kind, ServerFilled


class Experiments(Kind):
    name = "experiments"
    label = "experiment"
    rank = 35
    recreate_fields = ("artifact_location",)
    destructive = True
    permission_type = "experiments"
    permission_levels: ClassVar[Mapping[str, str]] = {
        "CAN_MANAGE": "CAN_MANAGE",
        "CAN_VIEW": "CAN_READ",
    }
    inherits_permissions = True
    path_fields = ("name",)
    schema_root = ("ml", "ExperimentsAPI", "create_experiment")
    server_filled: ClassVar[ServerFilled] = {
        "experiment_id": ANY,
        "artifact_location": ANY,
        "lifecycle_stage": ("active",),
        "creation_time": ANY,
        "last_update_time": ANY,
        "tags": ANY,
    }

    def create(self, settings: dict[str, Any]) -> str:
        return str(self.do("POST", "/api/2.0/mlflow/experiments/create", settings)["experiment_id"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        current = self._get(id)
        if current.get("lifecycle_stage") == "deleted":
            # MLflow keeps a deleted experiment's name: the bundle's experiment comes back.
            self.do("POST", "/api/2.0/mlflow/experiments/restore", {"experiment_id": id})
        if settings.get("name") and settings["name"] != current.get("name"):
            body = {"experiment_id": id, "new_name": settings["name"]}
            self.do("POST", "/api/2.0/mlflow/experiments/update", body)
        return id

    def _delete(self, id: str) -> None:
        self.read(id)  # NotFound when already deleted: deleting again is fine
        self.do("POST", "/api/2.0/mlflow/experiments/delete", {"experiment_id": id})

    def _get(self, id: str) -> dict[str, Any]:
        found = self.do("GET", "/api/2.0/mlflow/experiments/get", query={"experiment_id": id})
        return dict(found.get("experiment") or {})

    def read(self, id: str) -> dict[str, Any]:
        from databricks.sdk.errors import NotFound

        experiment = self._get(id)
        if experiment.get("lifecycle_stage") == "deleted":
            raise NotFound(f"experiment {id} is deleted")
        return experiment

    def owned(self, settings: Mapping[str, Any]) -> Iterator[str]:
        # An experiment's name is a workspace path: one with this bundle's name is this bundle's,
        # deleted or not (MLflow keeps the name of a deleted one; `update` restores it).
        name = settings.get("name")
        if not isinstance(name, str) or not name:
            return
        from databricks.sdk.errors import NotFound

        try:
            found = self.do("GET", "/api/2.0/mlflow/experiments/get-by-name", query={"experiment_name": name})
        except NotFound:
            return
        experiment = found.get("experiment") or {}
        if experiment.get("experiment_id"):
            yield str(experiment["experiment_id"])

    def url(self, host: str, id: str) -> str:
        return f"{host}/ml/experiments/{id}"
