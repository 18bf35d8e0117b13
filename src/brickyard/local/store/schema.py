"""The metadata schema, as forward-only migrations (`MIGRATIONS[n]` takes version n to n+1).

API objects (job settings, cluster specs, run documents) are stored as JSON in the shape the REST
API returns them, with the columns that queries filter on alongside. The `secrets` table is part of
the worker contract (`protocol`): do not change its shape.
"""

from __future__ import annotations

V1 = [
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    """CREATE TABLE jobs (
        job_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        hidden INTEGER NOT NULL DEFAULT 0,
        created_time INTEGER NOT NULL,
        creator TEXT NOT NULL,
        settings TEXT NOT NULL
    )""",
    "CREATE INDEX jobs_name ON jobs (lower(name))",
    """CREATE TABLE runs (
        run_id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        job_id INTEGER,
        parent_run_id INTEGER,
        root_run_id INTEGER NOT NULL,
        task_key TEXT,
        run_type TEXT,
        life_cycle_state TEXT NOT NULL,
        start_time INTEGER NOT NULL,
        doc TEXT NOT NULL,
        output TEXT
    )""",
    "CREATE INDEX runs_job ON runs (kind, job_id, run_id)",
    "CREATE INDEX runs_parent ON runs (parent_run_id, run_id)",
    "CREATE INDEX runs_root ON runs (root_run_id)",
    "CREATE TABLE run_tokens (token TEXT PRIMARY KEY, run_id INTEGER NOT NULL)",
    "CREATE TABLE clusters (cluster_id TEXT PRIMARY KEY, name TEXT NOT NULL, doc TEXT NOT NULL)",
    """CREATE TABLE secret_scopes (
        scope TEXT PRIMARY KEY,
        backend_type TEXT NOT NULL,
        created INTEGER NOT NULL
    )""",
    """CREATE TABLE secrets (
        scope TEXT,
        key TEXT,
        value BLOB,
        last_updated_timestamp INTEGER,
        PRIMARY KEY (scope, key)
    )""",
    """CREATE TABLE workspace_objects (
        path TEXT PRIMARY KEY,
        object_id INTEGER NOT NULL UNIQUE,
        object_type TEXT NOT NULL,
        language TEXT,
        created_at INTEGER NOT NULL
    )""",
    """CREATE TABLE repos (
        repo_id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        doc TEXT NOT NULL
    )""",
    """CREATE TABLE permissions (
        object_type TEXT NOT NULL,
        object_id TEXT NOT NULL,
        acl TEXT NOT NULL,
        PRIMARY KEY (object_type, object_id)
    )""",
    "CREATE TABLE catalog_schemas (catalog TEXT, name TEXT, PRIMARY KEY (catalog, name))",
    """CREATE TABLE catalog_tables (
        catalog TEXT,
        schema TEXT,
        name TEXT,
        kind TEXT NOT NULL,
        provider TEXT,
        location TEXT,
        view_text TEXT,
        PRIMARY KEY (catalog, schema, name)
    )""",
]

V2 = [
    """CREATE TABLE pipelines (
        pipeline_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        creator TEXT NOT NULL,
        created_time INTEGER NOT NULL,
        last_modified INTEGER NOT NULL,
        doc TEXT NOT NULL
    )""",
    "CREATE INDEX pipelines_name ON pipelines (lower(name))",
    """CREATE TABLE pipeline_updates (
        update_id TEXT PRIMARY KEY,
        pipeline_id TEXT NOT NULL,
        creation_time INTEGER NOT NULL,
        state TEXT NOT NULL,
        doc TEXT NOT NULL
    )""",
    "CREATE INDEX pipeline_updates_pipeline ON pipeline_updates (pipeline_id, creation_time)",
    """CREATE TABLE pipeline_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        pipeline_id TEXT NOT NULL,
        update_id TEXT,
        event_id TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        level TEXT NOT NULL,
        event_type TEXT NOT NULL,
        doc TEXT NOT NULL
    )""",
    "CREATE INDEX pipeline_events_pipeline ON pipeline_events (pipeline_id, timestamp, seq)",
    "CREATE TABLE uc_catalogs (name TEXT PRIMARY KEY, doc TEXT NOT NULL)",
    "CREATE TABLE uc_schemas (catalog TEXT, name TEXT, doc TEXT NOT NULL, PRIMARY KEY (catalog, name))",
    """CREATE TABLE uc_volumes (
        catalog TEXT,
        schema TEXT,
        name TEXT,
        doc TEXT NOT NULL,
        PRIMARY KEY (catalog, schema, name)
    )""",
    """CREATE TABLE uc_grants (
        securable_type TEXT,
        full_name TEXT,
        principal TEXT,
        privileges TEXT NOT NULL,
        PRIMARY KEY (securable_type, full_name, principal)
    )""",
]
"""Pipelines (settings, updates, the event log) and the Unity Catalog metadata the workspace
catalog does not hold: catalogs, schema and volume documents, grants."""

V3 = [
    "CREATE TABLE sql_warehouses (id TEXT PRIMARY KEY, name TEXT NOT NULL, doc TEXT NOT NULL)",
    "CREATE INDEX sql_warehouses_name ON sql_warehouses (lower(name))",
]
"""SQL warehouses (`store.warehouses`)."""

V4 = [
    """CREATE TABLE api_objects (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        created INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (kind, id)
    )""",
    "CREATE INDEX api_objects_name ON api_objects (kind, name)",
]
"""API objects kept as documents (`store.objects`): dashboards, apps, and the rest."""

MIGRATIONS: list[list[str]] = [V1, V2, V3, V4]
