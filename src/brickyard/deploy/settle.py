"""Finishing what an interrupted deploy left undone, when the plan itself has nothing to change.

A deploy killed or failed after its last resource landed leaves two things behind that a plan
cannot see: the workspace's copy of the state may be older than this machine's (the final write
never reached it), and the release that records the deploy may be missing from the index (its
number is kept in the state, `DeploymentState.release`). The next deploy, even with no changes,
writes the state back and records that release under its number, so `summary` and `releases`
agree and release numbers have no gap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from brickyard.releases.store import ReleaseStore

if TYPE_CHECKING:
    from brickyard.deploy.target import Target
    from brickyard.releases.model import ReleaseIndex
    from brickyard.state.model import DeploymentState


@dataclass
class Settled:
    state_written: bool = False
    release: Any = None
    writes: int = 0

    @property
    def anything(self) -> bool:
        return self.state_written or self.release is not None


def read_index(target: Target) -> ReleaseIndex:
    return ReleaseStore(target.client, target.store.state_path).index()


def unrecorded_release(
    target: Target, state: DeploymentState, index: ReleaseIndex | None = None
) -> int | None:
    """The number of the release the state names but the index lacks, if any (one read, unless
    the caller read the index already)."""
    if state.release is None:
        return None
    index = index if index is not None else read_index(target)
    if any(r.number == state.release for r in index.releases):
        return None
    return state.release


def settle(
    target: Target,
    state: DeploymentState,
    force_lock: bool,
    record: Callable[[int], tuple[Any, int]] | None,
    confirm: Callable[[str], bool] | None = None,
    index: ReleaseIndex | None = None,
) -> Settled:
    """Write the state to the workspace if it is behind, and record a missing release (`record`)."""
    settled = Settled()
    number = unrecorded_release(target, state, index) if record is not None else None
    if not target.store.remote_behind and number is None:
        return settled
    with target.locked(force_lock, confirm):
        if target.store.remote_behind:
            target.store.write(state)
            settled.state_written, settled.writes = True, 1
        if number is not None and record is not None:
            settled.release, writes = record(number)
            settled.writes += writes
    return settled
