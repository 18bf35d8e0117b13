"""Who the local workspace says you are.

The local workspace has one user: `BRICKYARD_LOCAL_USER` when set, else `<os user>@brickyard.local`.
The bundle loader uses the same name for `${workspace.current_user.userName}` when a target has no
reachable workspace, so validate, deploy and the local server agree on paths like
`/Workspace/Users/<user>/.bundle/...`.
"""

from __future__ import annotations

import getpass
import os


def local_user_name() -> str:
    configured = os.environ.get("BRICKYARD_LOCAL_USER", "").strip()
    if configured:
        return configured
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "user"
    return f"{user or 'user'}@brickyard.local"
