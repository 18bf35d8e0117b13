"""`brickyard sync`: the bundle's files to the target's file path, and nothing else.

It is the files stage of a deploy on its own: the same inventory (`sync.paths`, `include`,
`exclude`, `.gitignore`), the same content hashes against the deployment state, the same lock,
so a later deploy sees the files as synced. No resource changes and no release. `--full` uploads
every file whatever the state says; `--watch` syncs again on each change (debounced), until Ctrl-C
(which lets the pass under way finish).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from brickyard.context import AppContext
from brickyard.deploy.edits import refuse_workspace_edits
from brickyard.plan.model import FileAction, FileStage

WAKE_MS = 1000
"""How often the watch wakes without changes (only the first wake-up does anything)."""


@dataclass(frozen=True)
class BundleSyncOptions:
    target: str | None = None
    variables: Sequence[str] = ()
    profile: str | None = None
    full: bool = False
    dry_run: bool = False
    watch: bool = False
    force_lock: bool = False
    debounce_ms: int = 300


def sync_bundle(ctx: AppContext, options: BundleSyncOptions) -> dict[str, Any]:
    from brickyard.deploy.target import open_target

    target = open_target(ctx, options.target, options.variables, options.profile)
    result = _once(ctx, target, options)
    if not options.watch:
        ctx.output.result(result, _text(result))
        return result
    ctx.output.info(_text(result))
    from watchfiles import watch

    ignored = (".brickyard", ".databricks", ".git", "__pycache__", ".venv")
    watching = False
    with _stop_on_interrupt() as stop:
        # `yield_on_timeout`: the first (empty) wake-up says the watcher is in place; a pass then
        # catches what changed while it was being set up, and only then is "Watching" true.
        for changes in watch(
            target.bundle.root,
            debounce=options.debounce_ms,
            watch_filter=lambda _, path: not any(f"/{part}/" in path + "/" for part in ignored),
            stop_event=stop,
            raise_interrupt=False,
            yield_on_timeout=True,
            rust_timeout=WAKE_MS,
        ):
            if changes or not watching:
                result = _once(ctx, target, replace(options, full=False))
                if result["uploaded"] or result["deleted"]:
                    ctx.output.info(_text(result))
            if not watching:
                ctx.output.info(f"Watching {target.bundle.root} for changes (Ctrl-C to stop)")
                watching = True
            if stop.is_set():
                break
    return result


@contextmanager
def _stop_on_interrupt() -> Iterator[threading.Event]:
    """Ctrl-C while watching ends the watch once the pass under way is done, so that no upload,
    state write or lock release is cut in half; a second Ctrl-C interrupts at once."""
    stop = threading.Event()

    def interrupted(_signum: int, _frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _once(ctx: AppContext, target: Any, options: BundleSyncOptions) -> dict[str, Any]:
    from brickyard.deploy.apply import Applier

    state = target.read_state(ctx)
    if options.full:
        state = state.model_copy(update={"files": {}})
    plan = target.plan(state, check_remote=False)
    stages = tuple(s for s in plan.stages if isinstance(s, FileStage))
    changes = [c for s in stages for c in s.changes if c.action is not FileAction.UNCHANGED]
    result: dict[str, Any] = {
        "target": target.bundle.target,
        "file_path": plan.file_path,
        "uploaded": sorted(c.relative for c in changes if c.action is FileAction.UPLOAD),
        "deleted": sorted(c.relative for c in changes if c.action is FileAction.DELETE),
        "dry_run": options.dry_run,
    }
    if options.dry_run or not changes:
        return result
    refuse_workspace_edits(target.client, state, plan, "--full")
    files_only = replace(plan, stages=stages)
    with target.locked(options.force_lock):
        Applier(
            target.client,
            files_only,
            target.store,
            target.kinds,
            ctx.output,
            target.bundle.current_user.user_name,
        ).run()
    return result


def _text(result: dict[str, Any]) -> str:
    verb = "Would upload" if result["dry_run"] else "Uploaded"
    if not result["uploaded"] and not result["deleted"]:
        return "Files are in sync: nothing to upload"
    lines = [f"{verb} {len(result['uploaded'])} file(s), deleted {len(result['deleted'])}"]
    lines += [f"  + {p}" for p in result["uploaded"][:50]]
    lines += [f"  - {p}" for p in result["deleted"][:50]]
    return "\n".join(lines)
