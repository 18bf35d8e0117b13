"""`brickyard dr drill`: prove on a sandbox that the tables can be brought back.

The drill does what a bad day would: back the tables up, drop them, restore them from that backup,
and check that what came back is what was there (row counts, every file's checksum, the grants).
Each step is timed and reported; a failing step fails the drill by name (exit 1). The backup goes
to the project's location, or to a folder under `.brickyard/` when none is set.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brickyard.context import AppContext
from brickyard.dr.backup import take_backup
from brickyard.dr.location import Location, open_location
from brickyard.dr.manifest import Manifest, list_manifests
from brickyard.dr.restore import Restored, RestoreOptions, restore_backup, verify_checksums
from brickyard.dr.tables import require, select_tables
from brickyard.dr.workspace import RecoveryTarget, open_recovery
from brickyard.errors import BrickyardError, DrillFailedError, RecoveryError


@dataclass(frozen=True)
class DrillOptions:
    target: str | None = None
    variables: Sequence[str] = ()
    profile: str | None = None
    tables: Sequence[str] = ()
    location: str | None = None


@dataclass
class Step:
    name: str
    result: str = "skipped"
    seconds: float = 0.0
    message: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "step": self.name,
            "result": self.result,
            "seconds": round(self.seconds, 2),
            "message": self.message,
        }


@dataclass
class Drill:
    steps: list[Step] = field(default_factory=list)

    def step(self, name: str, action: Callable[[], str]) -> bool:
        step = Step(name)
        self.steps.append(step)
        started = time.monotonic()
        try:
            step.message = action()
            step.result = "ok"
        except BrickyardError as err:
            step.result, step.message = "failed", str(err)
        step.seconds = time.monotonic() - started
        return step.result == "ok"


def dr_drill(ctx: AppContext, options: DrillOptions) -> Drill:
    recovery = open_recovery(ctx, options.target, options.variables, options.profile)
    location = _location(recovery, options.location)
    patterns = list(options.tables) or recovery.settings.tables
    tables = require(select_tables(recovery.client, patterns), patterns)
    drill = Drill()
    state: dict[str, Any] = {}

    def backup() -> str:
        manifest = take_backup(ctx, recovery, location, tables, list_manifests(location))
        state["manifest"] = manifest
        return f"backup {manifest.id}: {len(manifest.tables)} tables in {location.url}"

    def destroy() -> str:
        for table in tables:
            recovery.client.tables.delete(table.full_name)
        return f"dropped {len(tables)} tables"

    def restore() -> str:
        restored = restore_backup(ctx, recovery, location, state["manifest"], RestoreOptions())
        state["restored"] = restored
        return f"restored {len(restored)} tables"

    def verify() -> str:
        return _verify(recovery, state["manifest"], state["restored"])

    for name, action in (("backup", backup), ("destroy", destroy), ("restore", restore), ("verify", verify)):
        if not drill.step(name, action):
            break
    _report(ctx, drill)
    failed = next((s for s in drill.steps if s.result == "failed"), None)
    if failed is not None:
        raise DrillFailedError(failed.name, f"the recovery drill failed at {failed.name}: {failed.message}")
    return drill


def _location(recovery: RecoveryTarget, given: str | None) -> Location:
    spec = given or recovery.settings.location_for(recovery.bundle.target)
    if spec:
        return recovery.location(spec)
    folder = recovery.bundle.root / ".brickyard" / "dr-drill" / recovery.bundle.target
    return open_location(str(folder), recovery.bundle.root, recovery.client)


def _verify(recovery: RecoveryTarget, manifest: Manifest, restored: list[Restored]) -> str:
    problems = []
    for item in restored:
        table = manifest.table(item.source)
        assert table is not None
        if item.rows != table.snapshot.row_count:
            problems.append(f"{item.table}: {item.rows} rows, backed up {table.snapshot.row_count}")
        bad = verify_checksums(Path(item.storage_location), table)
        if bad:
            problems.append(f"{item.table}: {len(bad)} files differ ({', '.join(bad[:3])})")
        now = {g["principal"]: set(g["privileges"]) for g in recovery.grants("TABLE", item.table)}
        for grant in table.grants:
            if not set(grant["privileges"]) <= now.get(grant["principal"], set()):
                problems.append(f"{item.table}: grants of {grant['principal']} did not come back")
    if problems:
        raise RecoveryError("; ".join(problems))
    rows = sum(r.rows for r in restored)
    return f"{len(restored)} tables, {rows} rows, checksums and grants as backed up"


def _report(ctx: AppContext, drill: Drill) -> None:
    lines = ["Recovery drill:"]
    for s in drill.steps:
        lines.append(f"  {s.name:<8} {s.result:<7} {s.seconds:6.2f}s  {s.message}")
    ctx.output.result({"steps": [s.as_json() for s in drill.steps]}, "\n".join(lines))
