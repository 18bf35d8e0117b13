"""One module per API area; `ROUTERS` is what the app mounts.

Adding an area (the Pipelines API, say) is one module with an `APIRouter` and one line here. A
router is mounted under each prefix listed with it; only the first is shown in `/openapi.json`, so
the document lists each operation once.
"""

from __future__ import annotations

from fastapi import APIRouter

from brickyard.local.server.routes import (
    alerts_v2,
    apps,
    clusters,
    database,
    dbfs,
    dbt_archive,
    engine_sessions,
    faults,
    files,
    genie,
    jobs,
    lakeview,
    meta,
    mlflow_experiments,
    notification_destinations,
    permissions,
    pipelines,
    quality_monitors,
    repos,
    secret_acls,
    secrets,
    serving_endpoints,
    sql_statements,
    sql_thrift,
    sql_warehouses,
    uc_models,
    uc_tables,
    uc_volumes,
    unity_catalog,
    workspace,
)

ROUTERS: list[tuple[APIRouter, tuple[str, ...]]] = [
    (meta.router, ("",)),
    (workspace.router, ("",)),
    (jobs.router, ("/api/2.2", "/api/2.1", "/api/2.0")),
    (clusters.router, ("/api/2.1", "/api/2.0")),
    (dbfs.router, ("",)),
    (files.router, ("",)),
    (secrets.router, ("",)),
    (secret_acls.router, ("",)),
    (repos.router, ("",)),
    (permissions.router, ("",)),
    (pipelines.router, ("",)),
    (unity_catalog.router, ("",)),
    (uc_volumes.router, ("",)),
    (uc_tables.router, ("",)),
    (sql_warehouses.router, ("",)),
    (dbt_archive.router, ("",)),
    (sql_statements.router, ("",)),
    (sql_thrift.router, ("",)),
    (faults.router, ("",)),
    (engine_sessions.router, ("",)),
    # Objects the local workspace keeps without running them (`store.objects`).
    (lakeview.router, ("",)),
    (genie.router, ("",)),
    (alerts_v2.router, ("",)),
    (apps.router, ("",)),
    (mlflow_experiments.router, ("",)),
    (uc_models.router, ("",)),
    (serving_endpoints.router, ("",)),
    (quality_monitors.router, ("",)),
    (database.router, ("",)),
    (notification_destinations.router, ("",)),
]
