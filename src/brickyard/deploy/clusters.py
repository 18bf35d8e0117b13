"""Leaving all-purpose clusters terminated after a deploy.

Creating a cluster starts it, and editing a running one restarts it, so a deploy that touches
clusters leaves them running (and billing) until they auto-terminate. Teams that deploy clusters
for later use terminate them right after; `clusters.terminate_after_deploy` in brickyard.yml (all
targets, or a list of them) or `deploy --terminate-clusters` does that for exactly the clusters
this deploy created or changed, never one it did not touch. Termination keeps the cluster (its id,
settings and permissions); the next start or job run brings it back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from brickyard.context import AppContext
from brickyard.deploy.target import Target
from brickyard.settings_file import settings_if_any

_LIVE = frozenset({"PENDING", "RUNNING", "RESIZING", "RESTARTING"})


def wants_termination(target: Target, flag: bool) -> bool:
    if flag:
        return True
    settings = settings_if_any(target.bundle.root)
    if settings is None:
        return False
    setting = settings.clusters.terminate_after_deploy
    if isinstance(setting, list):
        return target.bundle.target in setting
    return bool(setting)


def terminate_touched(ctx: AppContext, target: Target, addresses: Iterable[str]) -> list[str]:
    """Terminate the clusters among `addresses` that are running; their ids, in order."""
    from databricks.sdk.errors import NotFound

    touched = sorted({a for a in addresses if a.startswith("clusters.")})
    if not touched:
        return []
    state = target.read_state(ctx)
    stopped: list[str] = []
    for address in touched:
        entry = state.resources.get(address)
        if entry is None:
            continue
        try:
            info: Any = target.client.clusters.get(entry.id)
        except NotFound:
            continue
        if info.state is not None and info.state.value in _LIVE:
            target.client.clusters.delete(entry.id)  # terminate; the cluster stays
            stopped.append(entry.id)
            ctx.output.info(
                f"Terminated cluster {info.cluster_name} ({entry.id}): clusters.terminate_after_deploy"
            )
    return stopped
