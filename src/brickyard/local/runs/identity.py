"""Who and where the local workspace is, as runs quote it: `{{job.run_page_url}}`, `creator_user_name`,
`{{workspace.id}}`. Known once the server's socket is bound, before anything that runs is built."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkspaceIdentity:
    host: str
    """The server's own URL (`http://127.0.0.1:PORT`), which task code calls back."""
    workspace_id: str
    user: str
