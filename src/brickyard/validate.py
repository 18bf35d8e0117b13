"""`brickyard validate`: load the bundle, report every finding, print the resolved configuration."""

from __future__ import annotations

from collections.abc import Sequence

from brickyard.bundle import Bundle, LoadOptions, load_bundle
from brickyard.context import AppContext
from brickyard.errors import BrickyardError, BundleError, Severity


def run_validate(ctx: AppContext, target: str | None, variables: Sequence[str], strict: bool) -> Bundle:
    from brickyard.workspace.identity import validation_user

    user = validation_user(ctx.cwd, ctx.environ)
    options = LoadOptions(target=target, variables=variables, environ=ctx.environ, current_user=user)
    try:
        bundle = load_bundle(ctx.cwd, options)
    except BundleError as err:
        ctx.output.diagnostics(err.diagnostics)
        errors = sum(d.severity is Severity.ERROR for d in err.diagnostics)
        raise BrickyardError(f"validation failed: {_count(errors, 'error')}") from None
    warnings = bundle.warnings
    ctx.output.diagnostics(warnings)
    if strict and warnings:
        raise BrickyardError(f"validation failed with --strict: {_count(len(warnings), 'warning')}")
    from brickyard.scan.policy import enforce_policies  # cluster policies and rules from brickyard.yml

    enforce_policies(bundle, ctx.output)
    summary = _summary(bundle)
    from brickyard.state.redact import redact

    ctx.output.result(redact(bundle.as_json()), summary)
    return bundle


def _summary(bundle: Bundle) -> str:
    workspace = bundle.workspace
    user = workspace.get("current_user", {}).get("userName", "")
    lines = [
        f"Name: {bundle.name}",
        f"Target: {bundle.target}",
        "Workspace:",
        f"  Host: {bundle.host or 'local (embedded local workspace)'}",
        f"  User: {user}",
        f"  Path: {workspace.get('root_path', '')}",
        "",
        f"Found {_count(len(bundle.warnings), 'warning')}" if bundle.warnings else "Validation OK!",
    ]
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
