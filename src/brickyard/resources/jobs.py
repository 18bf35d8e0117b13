"""Jobs (`/api/2.2/jobs`): created first-class, ranked last, since their tasks reference the rest."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from brickyard.resources.base import (
    ANY,
    DEPLOYER,
    BundlePaths,
    Kind,
    Prepare,
    ServerFilled,
    metadata_path,
)
from brickyard.resources.clusters import CLUSTER_FILLED

if TYPE_CHECKING:
    from brickyard.bundle.node import Node
    from brickyard.errors import Diagnostic

_PAGED = ("tasks", "job_clusters", "parameters", "environments")
"""API 2.2 pages these lists of a job's settings by 100."""


class Jobs(Kind):
    name = "jobs"
    label = "job"
    rank = 90
    depends_on = (
        "schemas",
        "volumes",
        "secret_scopes",
        "sql_warehouses",
        "clusters",
        "pipelines",
        "dashboards",
        "alerts",
        "registered_models",
        "experiments",
        "model_serving_endpoints",
        "database_instances",
        "database_catalogs",
    )
    permission_type = "jobs"
    permission_levels: ClassVar[Mapping[str, str]] = {
        "CAN_MANAGE": "CAN_MANAGE",
        "CAN_VIEW": "CAN_VIEW",
        "CAN_RUN": "CAN_MANAGE_RUN",
    }
    path_fields = (
        "tasks[].notebook_task.notebook_path",
        "tasks[].spark_python_task.python_file",
        "tasks[].sql_task.file.path",
        "tasks[].dbt_task.project_directory",
        "tasks[].dbt_task.profiles_directory",
    )
    schema_root = ("jobs", "JobSettings", "")
    bundle_defaults: ClassVar[Mapping[str, Any]] = {
        "max_concurrent_runs": 1,
        "queue": {"enabled": True},
    }
    inherits_permissions = True
    deployer_level = "IS_OWNER"
    inherits_run_as = True
    server_filled: ClassVar[ServerFilled] = {
        "format": ("MULTI_TASK",),
        "max_concurrent_runs": (1,),
        "edit_mode": ("EDITABLE",),
        "queue": ({"enabled": True},),
        "run_as": ({"user_name": DEPLOYER},),
        "performance_target": ("STANDARD", "PERFORMANCE_OPTIMIZED"),
        "*pause_status": ("UNPAUSED",),
        "*run_if": ("ALL_SUCCESS",),
        "tasks[]*.source": ("WORKSPACE",),
        "*effective_*": ANY,
        "environments[].spec.client": ANY,
        "environments[].spec.environment_version": ANY,
        **{f"*new_cluster.{name}": ANY for name in CLUSTER_FILLED},
    }

    def create(self, settings: dict[str, Any]) -> str:
        return str(self.do("POST", "/api/2.2/jobs/create", settings)["job_id"])

    def update(self, id: str, settings: dict[str, Any]) -> str:
        self.do("POST", "/api/2.2/jobs/reset", {"job_id": int(id), "new_settings": settings})
        return id

    def _delete(self, id: str) -> None:
        self.do("POST", "/api/2.2/jobs/delete", {"job_id": int(id)})

    def read(self, id: str) -> dict[str, Any]:
        return dict(self.do("GET", "/api/2.2/jobs/get", query={"job_id": id}))

    def settings(self, id: str) -> dict[str, Any]:
        doc = self.read(id)
        settings = dict(doc.get("settings") or {})
        token = doc.get("next_page_token")
        while token:
            page = self.do("GET", "/api/2.2/jobs/get", query={"job_id": id, "page_token": token})
            more = page.get("settings") or {}
            for key in _PAGED:
                if more.get(key):
                    settings[key] = [*(settings.get(key) or []), *more[key]]
            token = page.get("next_page_token")
        return settings

    def owned(self, settings: Mapping[str, Any]) -> Iterator[str]:
        name, metadata = settings.get("name"), metadata_path(settings)
        if not isinstance(name, str) or not metadata:
            return
        for job in self.pages("/api/2.2/jobs/list", "jobs", {"name": name, "limit": 100}):
            found = job.get("settings") or {}
            if found.get("name") == name and metadata_path(found) == metadata:
                yield str(job["job_id"])

    def url(self, host: str, id: str) -> str:
        return f"{host}/#job/{id}"

    @classmethod
    def prepare(cls, config: dict[str, Any], context: Prepare) -> dict[str, Any]:
        from brickyard.resources.init_scripts import rewrite_init_scripts
        from brickyard.resources.libraries import rewrite_libraries

        return rewrite_init_scripts(rewrite_libraries(config, context), context)

    @classmethod
    def shape(cls, resource: Node, development: bool) -> None:
        # Keys left out were written back as "" when the keyed lists merged (`bundle.merge`).
        tasks = resource.get("tasks")
        if tasks is not None and tasks.is_seq:
            tasks.value.sort(key=_task_key)

    @classmethod
    def fill_defaults(cls, resource: Node, paths: BundlePaths) -> None:
        from brickyard.bundle.node import from_plain, set_default

        set_default(resource, "deployment", {"kind": "BUNDLE", "metadata_file_path": paths.metadata_file})
        set_default(resource, "edit_mode", "UI_LOCKED")
        set_default(resource, "format", "MULTI_TASK")
        super().fill_defaults(resource, paths)
        name = resource.get("name")
        if name is None or name.value in (None, ""):
            resource.value["name"] = from_plain("Untitled", resource.loc)

    @classmethod
    def check(cls, key: str, resource: Node, diags: list[Diagnostic]) -> None:
        from brickyard.bundle.checks import check_job

        check_job(key, resource, diags)


def _task_key(task: Node) -> str:
    key = task.get("task_key") if task.is_map else None
    return str(key.value) if key is not None and key.value is not None else ""
