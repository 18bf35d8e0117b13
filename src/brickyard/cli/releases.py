"""`brickyard releases`."""

from __future__ import annotations

from brickyard.cli import options


def releases(
    target: options.Target = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """List the releases deployed to a target: number, time, who, git ref, what changed."""
    from brickyard.context import AppContext
    from brickyard.releases.history import list_releases

    list_releases(AppContext.create(output.value, local=local), target, var or [], profile)
