"""`brickyard plan`."""

from __future__ import annotations

from brickyard.cli import options


def plan(
    target: options.Target = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Show what a deploy would change, per resource and per file, without changing anything."""
    from brickyard.context import AppContext
    from brickyard.deploy import DeployOptions, plan_bundle

    ctx = AppContext.create(output.value, local=local)
    plan_bundle(ctx, DeployOptions(target=target, variables=var or [], profile=profile))
