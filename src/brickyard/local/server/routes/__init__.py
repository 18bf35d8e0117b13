"""One module per API area; `ROUTERS` is what the app mounts.

Adding an area (the Pipelines API, say) is one module with an `APIRouter` and one line here. A
router is mounted under each prefix listed with it; only the first is shown in `/openapi.json`, so
the document lists each operation once.
"""

from __future__ import annotations

from fastapi import APIRouter

from brickyard.local.server.routes import (
    clusters,
    dbfs,
    faults,
    files,
    jobs,
    meta,
    permissions,
    pipelines,
    repos,
    secrets,
    sql_statements,
    sql_thrift,
    sql_warehouses,
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
    (repos.router, ("",)),
    (permissions.router, ("",)),
    (pipelines.router, ("",)),
    (unity_catalog.router, ("",)),
    (uc_volumes.router, ("",)),
    (uc_tables.router, ("",)),
    (sql_warehouses.router, ("",)),
    (sql_statements.router, ("",)),
    (sql_thrift.router, ("",)),
    (faults.router, ("",)),
]
