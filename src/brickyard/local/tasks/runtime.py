"""What a Databricks runtime predefines for user code, and the runtime-only imports that find it.

A notebook starts with `spark`, `dbutils`, `display`, `displayHTML`, `getArgument`, `table` and
`sql` defined (no `sc`: there is no JVM, as on shared and serverless compute). Python files and
wheels reach the same objects through imports that only exist on Databricks, so those are provided
too: `from pyspark.dbutils import DBUtils` and `from databricks.sdk.runtime import dbutils, spark`
(the SDK looks for a `dbruntime` module to find the notebook namespace), `from delta.tables import
DeltaTable` (`delta_tables`), and `from databricks.connect import DatabricksSession`, whose builder
gives the task's session.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from brickyard.local.dbutils import DBUtils

DISPLAY_ROWS = 20


def display(obj: Any = None, *args: Any, **kwargs: Any) -> None:
    """A text rendering of what Databricks would show as a table: jobs keep it in their log."""
    if obj is None:
        return
    show = getattr(obj, "show", None)
    if callable(show) and hasattr(obj, "schema"):
        show(DISPLAY_ROWS, truncate=False)
    elif hasattr(obj, "to_string"):
        print(obj.to_string(max_rows=DISPLAY_ROWS))
    else:
        print(obj)


def display_html(html: str) -> None:
    """HTML has no text form worth a log line; Databricks keeps it in the notebook view only."""


def notebook_globals(spark: Any, dbutils: DBUtils) -> dict[str, Any]:
    return {
        "spark": spark,
        "dbutils": dbutils,
        "display": display,
        "displayHTML": display_html,
        "getArgument": dbutils.widgets.getArgument,
        "table": spark.table,
        "sql": spark.sql,
    }


def install_runtime_modules(spark: Any, dbutils: DBUtils) -> None:
    """Make the runtime-only imports resolve to this task's session and dbutils."""
    import pyspark

    namespace = notebook_globals(spark, dbutils)

    dbutils_module = types.ModuleType("pyspark.dbutils", "Databricks' DBUtils entry point (local workspace).")

    class DBUtilsEntry:
        def __new__(cls, spark_session: Any = None) -> DBUtils:  # type: ignore[misc]
            return dbutils

    dbutils_module.DBUtils = DBUtilsEntry  # type: ignore[attr-defined]
    sys.modules["pyspark.dbutils"] = dbutils_module
    pyspark.dbutils = dbutils_module  # type: ignore[attr-defined]

    runtime_module = types.ModuleType("dbruntime", "The notebook namespace, for databricks.sdk.runtime.")

    class UserNamespaceInitializer:
        @classmethod
        def getOrCreate(cls) -> UserNamespaceInitializer:
            return cls()

        def get_namespace_globals(self) -> dict[str, Any]:
            return namespace

    runtime_module.UserNamespaceInitializer = UserNamespaceInitializer  # type: ignore[attr-defined]
    sys.modules["dbruntime"] = runtime_module
    sdk_runtime = sys.modules.get("databricks.sdk.runtime")
    if sdk_runtime is not None:
        # Imported before this task's session existed (by a library, or an earlier task in this
        # process): it copied its names then, so they are set again.
        for name, value in namespace.items():
            setattr(sdk_runtime, name, value)
        sdk_runtime.is_local_implementation = False  # type: ignore[attr-defined]
    _install_delta()
    _install_databricks_connect(spark)


def _install_delta() -> None:
    """`delta` and `delta.tables` as Databricks runtimes ship them, over the engine's SQL."""
    from brickyard.local.tasks import delta_tables

    tables = types.ModuleType("delta.tables", "Delta Lake's DeltaTable (local workspace).")
    tables.DeltaTable = delta_tables.DeltaTable  # type: ignore[attr-defined]
    tables.DeltaMergeBuilder = delta_tables.DeltaMergeBuilder  # type: ignore[attr-defined]
    tables.DeltaOptimizeBuilder = delta_tables.DeltaOptimizeBuilder  # type: ignore[attr-defined]
    package = types.ModuleType("delta", "Delta Lake (local workspace).")
    package.__path__ = []  # a package, so `import delta.tables` finds the submodule above
    package.tables = tables  # type: ignore[attr-defined]
    package.DeltaTable = delta_tables.DeltaTable  # type: ignore[attr-defined]
    package.configure_spark_with_delta_pip = delta_tables.configure_spark_with_delta_pip  # type: ignore[attr-defined]
    sys.modules["delta"] = package
    sys.modules["delta.tables"] = tables


def _install_databricks_connect(spark: Any) -> None:
    """`from databricks.connect import DatabricksSession`: code written to run both on a laptop
    (Databricks Connect) and on Databricks gets the task's session from its builder."""

    class Builder:
        def __getattr__(self, name: str) -> Any:
            return lambda *args, **kwargs: self  # remote(), serverless(), profile(), clusterId(), …

        def getOrCreate(self) -> Any:
            return spark

        def create(self) -> Any:
            return spark

    class DatabricksSession:
        builder = Builder()

    module = types.ModuleType("databricks.connect", "Databricks Connect's entry point (local workspace).")
    module.DatabricksSession = DatabricksSession  # type: ignore[attr-defined]
    module.DatabricksEnv = type("DatabricksEnv", (), {})  # type: ignore[attr-defined]
    sys.modules["databricks.connect"] = module
