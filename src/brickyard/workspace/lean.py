"""A workspace client that imports only the SDK services a command touches.

`import databricks.sdk` runs the package's `__init__`, which imports every service module the SDK
has and builds their ~2,000 dataclasses: 2.2 s of the time before a `brickyard run` or `deploy`
sends its first request, where the core and the few services a command uses take 0.8 s (measured on
2 cores). Two pieces avoid the rest:

- `defer_package()` registers `databricks.sdk` as a package whose `__init__` runs only when a name it
  defines is first asked for (`from databricks.sdk import WorkspaceClient` still works, and then
  loads everything); submodules such as `databricks.sdk.service.jobs` import on their own.
- `LeanClient` is built from the same `Config` and `ApiClient` a `WorkspaceClient` is built from and
  answers `client.jobs`, `client.workspace`, … with the same service classes, each imported on first
  use (`SERVICES`); any other attribute is answered by a whole `WorkspaceClient` on the same config.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.core import ApiClient, Config

PACKAGE = "databricks.sdk"

SERVICES: dict[str, tuple[str, str]] = {
    "workspace": ("brickyard.workspace.retry", "RetryingWorkspace"),
    "jobs": ("databricks.sdk.mixins.jobs", "JobsExt"),
    "clusters": ("databricks.sdk.mixins.compute", "ClustersExt"),
    "dbfs": ("databricks.sdk.mixins.files", "DbfsExt"),
    "pipelines": ("databricks.sdk.service.pipelines", "PipelinesAPI"),
    "current_user": ("databricks.sdk.service.iam", "CurrentUserAPI"),
    "permissions": ("databricks.sdk.service.iam", "PermissionsAPI"),
    "repos": ("databricks.sdk.service.workspace", "ReposAPI"),
    "secrets": ("databricks.sdk.service.workspace", "SecretsAPI"),
    "catalogs": ("databricks.sdk.service.catalog", "CatalogsAPI"),
    "schemas": ("databricks.sdk.service.catalog", "SchemasAPI"),
    "volumes": ("databricks.sdk.service.catalog", "VolumesAPI"),
    "tables": ("databricks.sdk.service.catalog", "TablesAPI"),
    "grants": ("databricks.sdk.service.catalog", "GrantsAPI"),
    "registered_models": ("databricks.sdk.service.catalog", "RegisteredModelsAPI"),
    "quality_monitors": ("databricks.sdk.service.catalog", "QualityMonitorsAPI"),
    "warehouses": ("databricks.sdk.service.sql", "WarehousesAPI"),
    "statement_execution": ("databricks.sdk.service.sql", "StatementExecutionAPI"),
    "experiments": ("databricks.sdk.service.ml", "ExperimentsAPI"),
    "model_registry": ("databricks.sdk.service.ml", "ModelRegistryAPI"),
    "apps": ("databricks.sdk.service.apps", "AppsAPI"),
    "lakeview": ("databricks.sdk.service.dashboards", "LakeviewAPI"),
}
"""Attribute of `WorkspaceClient` -> (module, class) it is an instance of; `workspace` retries
throttled uploads (`workspace.retry`). A test holds this table to the installed SDK's own client."""

_lock = threading.RLock()
_loading: set[int] = set()


def defer_package() -> None:
    """Register `databricks.sdk` so that its `__init__` runs on first use of a name it defines.
    Nothing changes when the package is imported already."""
    with _lock:
        if PACKAGE in sys.modules:
            return
        spec = importlib.util.find_spec(PACKAGE)
        if spec is None or spec.loader is None:
            return  # not installed: the import that needs it raises as usual
        package = importlib.util.module_from_spec(spec)
        state = {"loaded": False}

        def load_rest(name: str) -> Any:
            thread = threading.get_ident()
            # `from databricks.sdk import useragent` (as the SDK's own modules write), or any name
            # asked while `__init__` runs: say no, so that the import system imports the submodule.
            dunder = name.startswith("__") and name != "__all__"  # `import *` asks for `__all__`
            if dunder or thread in _loading or _is_submodule(package, name):
                raise AttributeError(name)
            with _lock:
                if not state["loaded"]:
                    _loading.add(thread)
                    try:
                        assert spec.loader is not None
                        spec.loader.exec_module(package)
                        state["loaded"] = True
                    finally:
                        _loading.discard(thread)
            if name in package.__dict__:
                return package.__dict__[name]
            raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")

        package.__getattr__ = load_rest  # type: ignore[method-assign]
        sys.modules[PACKAGE] = package
        parent, _, child = PACKAGE.rpartition(".")
        setattr(sys.modules[parent], child, package)  # as an import binds it: `databricks.sdk` works


def _is_submodule(package: ModuleType, name: str) -> bool:
    return importlib.machinery.PathFinder.find_spec(f"{PACKAGE}.{name}", package.__path__) is not None


def whole_package() -> ModuleType:
    """`databricks.sdk` with its `__init__` run."""
    package = importlib.import_module(PACKAGE)
    package.WorkspaceClient  # noqa: B018 - loads the rest of a deferred package
    return package


class LeanClient:
    """Stands in for `WorkspaceClient`: the same config, API client and service objects."""

    def __init__(self, config: Config) -> None:
        from databricks.sdk.core import ApiClient

        self._config = config
        self._api_client = ApiClient(config)
        self._whole: WorkspaceClient | None = None

    @property
    def config(self) -> Config:
        return self._config

    @property
    def api_client(self) -> ApiClient:
        return self._api_client

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        where = SERVICES.get(name)
        if where is None:
            return getattr(self._whole_client(), name)
        module, cls = where
        service = getattr(importlib.import_module(module), cls)(self._api_client)
        self.__dict__[name] = service  # found without __getattr__ from now on
        return service

    def _whole_client(self) -> WorkspaceClient:
        if self._whole is None:
            whole: Any = whole_package().WorkspaceClient(config=self._config)
            whole._workspace = self.workspace  # the retrying one, shared
            self._whole = whole
        return self._whole

    def __repr__(self) -> str:
        return f"LeanClient(host={self._config.host!r})"
