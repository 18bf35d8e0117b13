"""`brickyard validate`: load the bundle, report every finding, print the resolved configuration.

The output follows `databricks bundle validate`: with `-o json` the configuration goes to stdout
even when validation failed (as it stood where validation stopped) and the findings to stderr; in
text mode each finding is printed as `Error: …` / `Warning: …` with its `at` and `in` lines, then a
summary of the bundle, its target and workspace, and the count of findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from brickyard.bundle import LoadOptions, load_bundle
from brickyard.bundle.model import config_json
from brickyard.bundle.node import Node, lookup
from brickyard.bundle.resolve import InvalidBundle
from brickyard.context import AppContext
from brickyard.errors import BundleError, Diagnostic, Severity


@dataclass(frozen=True)
class Outcome:
    ok: bool
    diagnostics: tuple[Diagnostic, ...]


def run_validate(
    ctx: AppContext,
    target: str | None,
    variables: Sequence[str],
    strict: bool,
    include_locations: bool = False,
) -> Outcome:
    """Validate and print; the outcome says whether the command should exit non-zero.
    `include_locations` adds where each part was written to the JSON document (`__locations`)."""
    from brickyard.workspace.identity import validation_user

    user = validation_user(ctx.cwd, ctx.environ)
    options = LoadOptions(
        target=target,
        variables=variables,
        environ=ctx.environ,
        current_user=user,
        resolve_resource_fields=False,
    )
    config: Node | None
    found = True  # a bundle was found, even if it could not be read: its findings get a count
    counted = True
    try:
        bundle = load_bundle(ctx.cwd, options)
    except InvalidBundle as err:
        diags, config = list(err.diagnostics), err.config
        counted = config is not None  # stopped before anything was resolved: the CLI prints no count
    except BundleError as err:
        # Findings inside the bundle's files (it was found but not read) get a count; no bundle, none.
        diags, config = list(err.diagnostics), None
        found = any(d.location is not None for d in diags)
    else:
        diags, config = list(bundle.diagnostics), bundle.config
        from brickyard.scan.policy import enforce_policies  # rules and cluster policies from brickyard.yml

        enforce_policies(bundle, ctx.output)
        from brickyard.dbt.parse import parse_diagnostics  # dbt is imported only for dbt projects

        diags += parse_diagnostics(bundle)
    errors = any(d.severity is Severity.ERROR for d in diags)
    warnings = sum(d.severity is Severity.WARNING for d in diags)
    _print(ctx, diags, config, found, counted, include_locations)
    if strict and warnings and not errors:
        were = "1 warning was" if warnings == 1 else f"{warnings} warnings were"
        ctx.output.show([f"Error: {were} found. Warnings are not allowed in strict mode"])
    failed = errors or bool(strict and warnings)
    return Outcome(ok=not failed, diagnostics=tuple(diags))


def _print(
    ctx: AppContext,
    diags: list[Diagnostic],
    config: Node | None,
    found: bool,
    counted: bool,
    include_locations: bool = False,
) -> None:
    from brickyard.state.redact import redact

    if ctx.output.format == "json":
        # The CLI writes the findings to stderr in the text form, and the document to stdout.
        if diags:
            ctx.output.show(["".join(render_diagnostic(d) for d in diags)[:-1]])
        if config is not None:
            document = config_json(config)
            if include_locations:
                from brickyard.bundle.locations import locations_document

                document = {"__locations": locations_document(config), **document}
            ctx.output.result(redact(document))
        return
    if config is None and found:  # the files could not be read: the findings and their count
        findings = "".join(render_diagnostic(d) for d in diags)
        ctx.output.result(None, findings + "\n" + trailer(diags) if counted else findings[:-1])
        return
    if config is None:  # there is no bundle here at all
        ctx.output.diagnostics(diags)
        return
    text = "".join(render_diagnostic(d) for d in diags) + summary(config, diags)
    ctx.output.result(redact(config_json(config)), text.rstrip("\n"))


def render_diagnostic(diag: Diagnostic) -> str:
    """One finding as the CLI prints it, followed by a blank line."""
    label = {Severity.ERROR: "Error", Severity.WARNING: "Warning"}.get(diag.severity, "Recommendation")
    lines = [f"{label}: {diag.summary}"]
    if diag.path:
        lines.append(f"  at {diag.path}")
    if diag.location is not None:
        lines.append(f"  in {diag.location}")
        lines += [f"     {other}" for other in diag.also]
    if diag.detail:
        lines += ["", diag.detail]
    return "\n".join(lines) + "\n\n"


def summary(config: Node, diags: Sequence[Diagnostic]) -> str:
    def get(*path: str) -> str:
        node = lookup(config, path)
        return str(node.value) if node is not None and node.is_scalar and node.value is not None else ""

    lines = []
    if name := get("bundle", "name"):
        lines.append(f"Name: {name}")
    if target := get("bundle", "target"):
        lines.append(f"Target: {target}")
    workspace = [
        f"  {label}: {value}"
        for label, value in (
            ("Host", get("workspace", "host")),
            ("User", get("workspace", "current_user", "userName")),
            ("Path", get("workspace", "root_path")),
        )
        if value
    ]
    if workspace:
        lines += ["Workspace:", *workspace]
    lines += ["", trailer(diags)]
    return "\n".join(lines) + "\n"


def trailer(diags: Sequence[Diagnostic]) -> str:
    """`Validation OK!`, or `Found 1 error and 2 warnings`."""
    counts = [
        _count(sum(d.severity is severity for d in diags), noun)
        for severity, noun in (
            (Severity.ERROR, "error"),
            (Severity.WARNING, "warning"),
            (Severity.INFO, "recommendation"),
        )
    ]
    found = [c for c in counts if c]
    if not found:
        return "Validation OK!"
    if len(found) == 1:
        return f"Found {found[0]}"
    if len(found) == 2:
        return f"Found {found[0]} and {found[1]}"
    return f"Found {', '.join(found[:-1])}, and {found[-1]}"


def _count(n: int, noun: str) -> str:
    if n == 0:
        return ""
    return f"{n} {noun}" + ("" if n == 1 else "s")
