"""The task of the backup job that deploy puts on the workspace (brickyard.yml `dr`).

Deploy uploads this file with the bundle's files and runs it as a `spark_python_task`; it backs up
the declared tables with the same code as `brickyard backup` and then applies the retention, talking
to the workspace it runs on through the credentials the task gets (`DATABRICKS_HOST` /
`DATABRICKS_TOKEN`, or the cluster's own). A failure exits 1, so the run fails and alerts.

    python job_task.py --bundle NAME --target T --location LOC [--tables PATTERN]... [--keep N] [--days N]
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class _Bundle:
    name: str
    target: str


@dataclass
class _Session:
    """What RecoveryTarget needs of a session: a client of the workspace the task runs on."""

    workspace: Any
    local_home: Path | None = None

    def client(self) -> Any:
        return self.workspace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="brickyard-backup-job")
    parser.add_argument("--bundle", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--location", required=True)
    parser.add_argument("--tables", action="append", default=[])
    parser.add_argument("--keep", type=int)
    parser.add_argument("--days", type=int)
    args = parser.parse_args(argv)

    from databricks.sdk import WorkspaceClient

    from brickyard.context import AppContext
    from brickyard.dr.backup import backup_to
    from brickyard.dr.location import open_location
    from brickyard.dr.workspace import RecoveryTarget
    from brickyard.errors import BrickyardError
    from brickyard.output import make_output
    from brickyard.settings import RecoverySettings, RetentionSettings

    ctx = AppContext(output=make_output("text"), cwd=Path.cwd(), environ=dict(os.environ))
    client = WorkspaceClient()
    retention = RetentionSettings(keep=args.keep, days=args.days)
    recovery = RecoveryTarget(
        _Bundle(args.bundle, args.target),  # type: ignore[arg-type]
        _Session(client),  # type: ignore[arg-type]
        RecoverySettings(tables=args.tables, retention=retention),
    )
    try:
        location = open_location(args.location, Path.cwd(), client)
        backup_to(ctx, recovery, location, list(args.tables), retention)
    except BrickyardError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
