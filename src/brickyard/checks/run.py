"""`brickyard check`: profile each declared table on the target, apply its rules, keep the profile.

Statements run on a SQL warehouse through the Statement Execution API, the same on a workspace and
on the local workspace. A table that fails a rule fails the command (exit 1) with a table of what
broke; its profile is still kept, so the next run compares against what was really there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from brickyard.checks.evaluate import Finding, evaluate
from brickyard.checks.profile import TableProfile, take_profile
from brickyard.checks.rules import select, table_rules
from brickyard.checks.store import ProfileStore
from brickyard.context import AppContext
from brickyard.errors import BrickyardError, UsageError
from brickyard.settings import load_settings

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

WAIT = "30s"


@dataclass(frozen=True)
class CheckOptions:
    target: str | None = None
    variables: Sequence[str] = ()
    profile: str | None = None
    tables: Sequence[str] = ()
    warehouse: str | None = None


class ChecksFailedError(BrickyardError):
    """Some declared data checks did not hold."""


def run_checks(ctx: AppContext, options: CheckOptions) -> list[Finding]:
    from brickyard.deploy.target import open_target

    target = open_target(ctx, options.target, options.variables, options.profile)
    settings = load_settings(target.bundle.root).checks
    rules = select(table_rules(target.bundle.root, settings), options.tables)
    if not rules:
        raise UsageError("no data checks declared: add `checks:` to brickyard.yml or files under checks/")
    client = target.client
    warehouse = _warehouse(client, options.warehouse or settings.warehouse)
    store = ProfileStore(client, str(target.bundle.workspace["state_path"]), settings.keep_profiles)
    findings: list[Finding] = []
    profiles: list[TableProfile] = []
    with ctx.output.progress("profiling tables", total=len(rules)) as bar:
        for table, table_rules_ in rules.items():
            profile = take_profile(table, table_rules_, lambda sql: _sql(client, warehouse, sql))
            findings += evaluate(table_rules_, profile, store.previous(table))
            store.add(profile)
            profiles.append(profile)
            bar.advance()
    store.save()
    ctx.output.result(
        {
            "warehouse_id": warehouse,
            "profiles": [p.as_json() for p in profiles],
            "failures": [f.as_json() for f in findings],
        },
        _text(profiles, findings),
    )
    if findings:
        tables = sorted({f.table for f in findings})
        raise ChecksFailedError(f"{len(findings)} data checks failed on {', '.join(tables)}")
    return findings


def _warehouse(client: WorkspaceClient, wanted: str | None) -> str:
    warehouses = list(client.warehouses.list())
    if wanted:
        for w in warehouses:
            if wanted in (w.id, w.name):
                return str(w.id)
        raise UsageError(f"no SQL warehouse named or with id {wanted!r} in the workspace")
    running = [w for w in warehouses if getattr(w.state, "value", "") == "RUNNING"] or warehouses
    if not running:
        raise UsageError("the workspace has no SQL warehouse to run checks on; pass --warehouse")
    return str(running[0].id)


def _sql(client: WorkspaceClient, warehouse: str, statement: str) -> list[list[Any]]:
    import time

    from databricks.sdk.service.sql import StatementState

    api = client.statement_execution
    response = api.execute_statement(statement=statement, warehouse_id=warehouse, wait_timeout=WAIT)
    while response.status and response.status.state in (StatementState.PENDING, StatementState.RUNNING):
        time.sleep(0.5)
        response = api.get_statement(str(response.statement_id))
    state = response.status.state if response.status else None
    if state != StatementState.SUCCEEDED:
        error = response.status.error.message if response.status and response.status.error else state
        raise BrickyardError(f"a check query failed: {error}\n  {statement}")
    rows: list[list[Any]] = list(response.result.data_array or []) if response.result else []
    columns = response.manifest.schema.columns if response.manifest and response.manifest.schema else []
    return [[_typed(v, c) for v, c in zip(row, columns or [], strict=False)] or row for row in rows]


def _typed(value: Any, column: Any) -> Any:
    """JSON results come as strings; counts are read back as numbers."""
    kind = str(getattr(column.type_name, "value", column.type_name or "")).upper()
    if value is not None and kind in ("LONG", "INT", "BIGINT", "SHORT", "BYTE", "INTEGER"):
        return int(value)
    return value


def _text(profiles: list[TableProfile], findings: list[Finding]) -> str:
    lines = []
    for p in profiles:
        broken = [f for f in findings if f.table == p.table]
        mark = "✗" if broken else "✓"
        lines.append(
            f"{mark} {p.table}: {p.rows} rows" + (f", {len(broken)} checks failed" if broken else "")
        )
    if findings:
        width = max(len(f.check) for f in findings)
        lines += ["", "Failed checks:"]
        lines += [f"  {f.table}  {f.check:<{width}}  expected {f.expected}, got {f.actual}" for f in findings]
    return "\n".join(lines)
