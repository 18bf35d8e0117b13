"""A Spark session on the local workspace's engine for dbt, set up as a task's worker sets up its own.

The server hands out the engine's address and the workspace catalog
(`/api/2.0/brickyard/engine-sessions`); the session starts with every table the workspace knows,
and when it stops, what dbt created, replaced or dropped goes back to the workspace, so a job, the
SQL warehouses and the next `brickyard dbt` all see it. Its SQL is rewritten for the engine as a
task's is (`tasks.sqlrewrite`), so a project runs the same under `brickyard dbt` and in a job.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

SESSIONS_PATH = "/api/2.0/brickyard/engine-sessions"


@contextmanager
def engine_session(client: WorkspaceClient, catalog: str = "") -> Iterator[tuple[Any, str]]:
    """The session (the default one, which dbt-spark's `session` method picks up) and its URL."""
    from brickyard.local.engine import CATALOG_SYNC_ENV, connect
    from brickyard.local.runs.catalog import SNAPSHOT_FILE, read_changes
    from brickyard.local.tasks import dbt_catalogs, dbt_columns
    from brickyard.local.tasks.paths import Locations
    from brickyard.local.tasks.sqlrewrite import install_sql_rewrite

    doc = client.api_client.do("POST", SESSIONS_PATH, body={})
    assert isinstance(doc, dict)
    remote = str(doc["spark_remote"])
    folder = Path(tempfile.mkdtemp(prefix="brickyard-dbt-session-"))
    previous = os.environ.get(CATALOG_SYNC_ENV)
    try:
        (folder / SNAPSHOT_FILE).write_text(json.dumps(doc["catalog"]), encoding="utf-8")
        os.environ[CATALOG_SYNC_ENV] = str(folder)
        spark = connect(remote, Path(str(doc["warehouse"])))
        try:
            dbt_columns.install(spark)
            dbt_catalogs.install()
            # the Databricks SQL a job's dbt_task may send, `read_files` included, as in a task
            install_sql_rewrite(Locations(Path(doc["workspace_root"]), Path(doc["storage_root"])))
            if catalog:
                spark.catalog.setCurrentCatalog(catalog)
            yield spark, remote
        finally:
            spark.stop()  # writes what the session changed into the folder, interrupted or not
            changes = read_changes(folder)
            if changes:
                client.api_client.do("POST", f"{SESSIONS_PATH}/catalog-changes", body=changes.as_json())
    finally:
        if previous is None:
            os.environ.pop(CATALOG_SYNC_ENV, None)
        else:
            os.environ[CATALOG_SYNC_ENV] = previous
        shutil.rmtree(folder, ignore_errors=True)
        sys.stdout.flush()
