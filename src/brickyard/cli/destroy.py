"""`brickyard destroy`."""

from __future__ import annotations

from brickyard.cli import options


def destroy(
    target: options.Target = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    auto_approve: options.AutoApprove = False,
    force_lock: options.ForceLock = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Delete everything this bundle deployed to the target, as its deployment state lists it."""
    from brickyard.context import AppContext
    from brickyard.deploy.destroy import destroy_bundle

    ctx = AppContext.create(output.value, local=local)
    destroy_bundle(ctx, target, var or [], profile, auto_approve, force_lock)
