"""`brickyard summary`."""

from __future__ import annotations

from brickyard.cli import options


def summary(
    target: options.Target = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """List the deployed resources of the target with their ids and links."""
    from brickyard.context import AppContext
    from brickyard.deploy.summary import summarize

    ctx = AppContext.create(output.value, local=local)
    summarize(ctx, target, var or [], profile)
