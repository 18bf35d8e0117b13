"""`brickyard scan …`: vulnerable, disallowed or leaking code found before it deploys (exit 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from brickyard.cli import options

app = typer.Typer(
    name="scan",
    help="Security and compliance gates: deps, licenses, secrets, policy, or all of them (the default).",
    invoke_without_command=True,
    rich_markup_mode=None,
)

Targets = Annotated[
    list[str] | None,
    typer.Option(
        "--target",
        "-t",
        metavar="TARGET",
        help="Target(s) whose resolved bundle the policy check reads (default: every target).",
    ),
]
Advisories = Annotated[
    Path | None,
    typer.Option(
        "--advisories", metavar="DIR", help="Offline vulnerability data: a directory of OSV JSON files."
    ),
]
Offline = Annotated[
    bool, typer.Option("--offline", help="Do not ask the online vulnerability service; use --advisories.")
]
FindLinks = Annotated[
    list[Path] | None,
    typer.Option(
        "--find-links",
        "-f",
        metavar="DIR",
        help="Read licences from the wheels in this directory (repeatable).",
    ),
]
Python = Annotated[
    str | None,
    typer.Option(
        "--python", metavar="PATH", help="Read licences from this environment's installed packages."
    ),
]
Report = Annotated[
    Path | None, typer.Option("--report", metavar="PATH", help="Write the findings as JSON here.")
]
Sarif = Annotated[
    Path | None, typer.Option("--sarif", metavar="PATH", help="Write the findings as SARIF 2.1.0 here.")
]
UpdateBaseline = Annotated[
    bool,
    typer.Option("--update-baseline", help="Accept every current secret finding into the baseline file."),
]


def _scan(scanners: tuple[str, ...], explicit: bool, output: options.OutputChoice, **kwargs: object) -> None:
    from brickyard.context import AppContext
    from brickyard.scan.run import ScanOptions, run_scan

    run_scan(AppContext.create(output.value), ScanOptions(scanners=scanners, explicit=explicit, **kwargs))  # type: ignore[arg-type]


@app.callback()
def scan(
    ctx: typer.Context,
    target: Targets = None,
    var: options.Var = None,
    advisories: Advisories = None,
    offline: Offline = False,
    find_links: FindLinks = None,
    python: Python = None,
    report: Report = None,
    sarif: Sarif = None,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Run the security and compliance gates; with no subcommand, all of them. Exit 1 on findings."""
    if ctx.invoked_subcommand is None:
        _scan(("deps", "licenses", "secrets", "policy"), False, output, targets=target or (), variables=var or (),
              advisories=advisories, offline=offline, find_links=find_links or (), python=python,
              report=report, sarif=sarif)  # fmt: skip


@app.command("all")
def scan_all(
    target: Targets = None, var: options.Var = None, advisories: Advisories = None, offline: Offline = False,
    find_links: FindLinks = None, python: Python = None, report: Report = None, sarif: Sarif = None,
    output: options.Output = options.OutputChoice.text,
) -> None:  # fmt: skip
    """Every gate: known vulnerabilities, licences, plaintext secrets, cluster policies and rules."""
    _scan(("deps", "licenses", "secrets", "policy"), False, output, targets=target or (), variables=var or (),
          advisories=advisories, offline=offline, find_links=find_links or (), python=python,
          report=report, sarif=sarif)  # fmt: skip


@app.command("deps")
def scan_deps(
    advisories: Advisories = None, offline: Offline = False, report: Report = None, sarif: Sarif = None,
    output: options.Output = options.OutputChoice.text,
) -> None:  # fmt: skip
    """Known vulnerabilities of the locked packages (pip-audit; offline OSV files with --advisories)."""
    _scan(("deps",), True, output, advisories=advisories, offline=offline, report=report, sarif=sarif)


@app.command("licenses")
def scan_licenses(
    find_links: FindLinks = None, python: Python = None, report: Report = None, sarif: Sarif = None,
    output: options.Output = options.OutputChoice.text,
) -> None:  # fmt: skip
    """Every locked package's licence against the allow/deny lists of brickyard.yml."""
    _scan(("licenses",), True, output, find_links=find_links or (), python=python, report=report, sarif=sarif)


@app.command("secrets")
def scan_secrets(
    update_baseline: UpdateBaseline = False, report: Report = None, sarif: Sarif = None,
    output: options.Output = options.OutputChoice.text,
) -> None:  # fmt: skip
    """Plaintext credentials in the bundle, notebooks, config and code (values are never shown)."""
    _scan(("secrets",), True, output, update_baseline=update_baseline, report=report, sarif=sarif)


@app.command("policy")
def scan_policy(
    target: Targets = None, var: options.Var = None, report: Report = None, sarif: Sarif = None,
    output: options.Output = options.OutputChoice.text,
) -> None:  # fmt: skip
    """Cluster policies and project rules from brickyard.yml, on every cluster of the resolved bundle."""
    _scan(("policy",), True, output, targets=target or (), variables=var or (), report=report, sarif=sarif)
