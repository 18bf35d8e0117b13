"""The dbt fork server's preparation: what every task needs, and dbt.

    python -m brickyard.local.runs.zygote brickyard.local.tasks.dbt_warm

A dbt task spends most of its time, on a small project, importing dbt-core and its Spark adapter
(~10-20 s of CPU on a small machine) before dbt does any work. The worker pool keeps a second fork
server for dbt tasks (`runs.workers`), started by the first one; it runs this `prepare()`, so every
dbt task after the first forks with dbt imported and goes straight to dbt's own work. Without dbt
installed it prepares what the task worker's fork server does, and the task says dbt is missing.

Importing is not all dbt does first in every process: it builds the JSON schemas it checks the
project, profile and flags against (cached per class), and the adapter's behaviour flags read the
caller's module off the stack, which makes `inspect` map every loaded module to its file. Both are
pure Python and the same in every task, so they are done here once (~0.5-1 s a task on a busy
machine). Nothing here may start a thread: the fork server forks after it.
"""

from __future__ import annotations

import contextlib
import inspect
from typing import Any


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

        _build_schemas()
    inspect.stack()  # maps every loaded module to its file (inspect's own cache), as dbt's flags will


def _build_schemas() -> None:
    """The schemas dbt validates `dbt_project.yml`, the profile and the flags with, in every command.
    Only a head start: a dbt version without one of these classes builds what it has."""
    from dbt.adapters.spark.connections import SparkCredentials
    from dbt.contracts import project

    names = ("Project", "Configuration", "ProjectFlags", "PackageConfig")
    contracts: list[Any] = [getattr(project, name, None) for name in names] + [SparkCredentials]
    for contract in contracts:
        with contextlib.suppress(AttributeError):
            contract.json_schema()
