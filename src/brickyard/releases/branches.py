"""Which git branches may deploy a target, and cutting release branches.

A target may name the branch it deploys from (`bundle.git.branch`, as `databricks bundle` has it)
or a pattern in brickyard.yml (`releases.branches.<target>: release/*`). Deploying from another
branch is refused unless forced, as production mode does in the Databricks CLI.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

from brickyard.errors import ReleaseError
from brickyard.settings_file import settings_if_any

if TYPE_CHECKING:
    from brickyard.deploy.target import Target


def check_branch(target: Target, force: bool = False, branch: str | None = None) -> None:
    """Refuse to deploy from a branch the target does not allow; `branch` overrides the checkout's."""
    configured = _settings_pattern(target)
    wanted = configured or _bundle_branch(target)
    if wanted is None:
        return
    actual = branch if branch is not None else target.bundle.git.branch
    if actual and fnmatch.fnmatchcase(actual, wanted):
        return
    if force:
        return
    if not configured:
        # bundle.git.branch: as `databricks bundle deploy` says it
        raise ReleaseError(
            f"not on the right Git branch:\n  expected according to configuration: {wanted}\n"
            f"  actual: {actual or 'a detached HEAD'}\nuse --force to override"
        )
    raise ReleaseError(
        f"target {target.bundle.target} deploys only from branch {wanted}, not {actual or 'a detached HEAD'}; "
        "switch branches, or pass --force to deploy anyway"
    )


def _bundle_branch(target: Target) -> str | None:
    """`bundle.git.branch` when it names another branch than the checkout's (it defaults to it)."""
    explicit = target.bundle.get("bundle", "git", "branch")
    actual = target.bundle.get("bundle", "git", "actual_branch")
    return str(explicit) if explicit and explicit != actual else None


def _settings_pattern(target: Target) -> str | None:
    """The branch pattern brickyard.yml sets for the target (`releases.branches.<target>`)."""
    settings = settings_if_any(target.bundle.root)
    return None if settings is None else settings.releases.branches.get(target.bundle.target)
