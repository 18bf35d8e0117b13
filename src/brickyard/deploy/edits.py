"""Files edited in the workspace since deploy wrote them: deploy does not replace them unasked.

Deploy records each file's `modified_at` right after uploading it. Before the next deploy replaces
or deletes a file it asks the workspace again: a different time means someone edited it there (a
notebook changed in the UI), and the deploy stops before writing anything, naming the files, unless
`--force`. Only files the plan touches are asked about, so a deploy that changes nothing costs no
extra request.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from brickyard.errors import BrickyardError
from brickyard.plan.model import Plan
from brickyard.state.model import DeploymentState

if TYPE_CHECKING:
    from databricks.sdk import WorkspaceClient

LOOKUP_THREADS = 8


class WorkspaceEditsError(BrickyardError):
    """Deployed files were edited in the workspace since: nothing was written."""


def modified_at(client: WorkspaceClient, remote: str) -> int | None:
    """The workspace object's `modified_at` (ms); None when it is gone or the API gives none."""
    from databricks.sdk.errors import NotFound

    try:
        found = client.workspace.get_status(remote).modified_at
    except NotFound:
        return None
    return int(found) if found else None


def edited_in_workspace(client: WorkspaceClient, state: DeploymentState, plan: Plan) -> list[str]:
    """Deployed files (relative paths) the plan replaces or deletes that were edited there since."""
    known = [
        (change.relative, before)
        for change in plan.changed_files()
        if (before := state.files.get(change.relative)) is not None and before.modified_at is not None
    ]
    if not known:
        return []
    with ThreadPoolExecutor(max_workers=LOOKUP_THREADS) as pool:
        now = list(pool.map(lambda item: modified_at(client, item[1].remote), known))
    return sorted(
        relative
        for (relative, before), found in zip(known, now, strict=True)
        if found not in (None, before.modified_at)
    )


def refuse_workspace_edits(client: WorkspaceClient, state: DeploymentState, plan: Plan, flag: str) -> None:
    edited = edited_in_workspace(client, state, plan)
    if edited:
        where = plan.file_path
        raise WorkspaceEditsError(
            f"{len(edited)} file(s) of the bundle were edited in the workspace (under {where}) since the "
            f"last deploy, and this one would replace or delete them: {', '.join(edited)}. Bring the edits "
            f"into the bundle first (`brickyard sync pull workspace-copy --from {where}` copies the "
            f"workspace's files into a folder of their own), or pass {flag} to overwrite them."
        )
