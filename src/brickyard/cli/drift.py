"""`brickyard drift`."""

from __future__ import annotations

from brickyard.cli import options


def drift(
    target: options.Target = None,
    var: options.Var = None,
    profile: options.Profile = None,
    local: options.Local = False,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Report what changed in the workspace since brickyard deployed it, and what the bundle would change.

    Drift is the workspace differing from the deployment state: resources edited or deleted in the
    UI (field by field), files edited or deleted, objects added under the bundle's paths. Pending
    changes are the bundle differing from the state, as `plan` shows them. Exits with 1 when there
    is drift (for CI), 0 otherwise.
    """
    from brickyard.context import AppContext
    from brickyard.errors import DriftFoundError
    from brickyard.releases.drift import DriftOptions, check_drift

    report = check_drift(
        AppContext.create(output.value, local=local),
        DriftOptions(target=target, variables=var or [], profile=profile),
    )
    if report.drifted:
        raise DriftFoundError(
            f"drift found on target {report.target}: {report.summary()} changed outside brickyard"
        )
