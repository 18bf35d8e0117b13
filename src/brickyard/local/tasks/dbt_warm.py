"""The dbt fork server's preparation: what every task needs, and dbt.

    python -m brickyard.local.runs.zygote brickyard.local.tasks.dbt_warm

A dbt task spends most of its time, on a small project, importing dbt-core and its Spark adapter
(~10-20 s of CPU on a small machine) before dbt does any work. The worker pool keeps a second fork
server for dbt tasks (`runs.workers`), started by the first one; it runs this `prepare()`, so every
dbt task after the first forks with dbt imported and goes straight to dbt's own work. Without dbt
installed it prepares what the task worker's fork server does, and the task says dbt is missing.
"""

from __future__ import annotations

import contextlib


def prepare() -> None:
    from brickyard.local import worker

    worker.prepare()
    with contextlib.suppress(ImportError):
        import agate  # noqa: F401
        import dbt.adapters.spark.impl
        import dbt.cli.main
        import dbt.parser.manifest
        import dbt.task.build
        import dbt.task.docs.generate  # noqa: F401

        import brickyard.local.tasks.dbt
        import brickyard.local.tasks.dbt_catalogs
        import brickyard.local.tasks.dbt_columns  # noqa: F401
