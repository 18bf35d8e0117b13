"""`brickyard scan …`: run the chosen scanners over the project, report, and gate.

Every scanner runs even when an earlier one found something, so one CI run shows all problems.
The report files are written before the exit code is decided, so CI can upload them from a
failing job. Findings at error level fail the scan (exit 1); warnings are reported only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from brickyard.context import AppContext
from brickyard.errors import DepsError, FindingsError
from brickyard.scan.findings import ScanResult
from brickyard.scan.report import report_json, report_sarif, write_report
from brickyard.settings import Settings, load_settings

SCANNERS = ("deps", "licenses", "secrets", "policy")


@dataclass
class ScanOptions:
    scanners: Sequence[str] = SCANNERS
    targets: Sequence[str] = ()
    variables: Sequence[str] = ()
    advisories: Path | None = None
    offline: bool = False
    find_links: Sequence[Path] = ()
    python: str | None = None
    report: Path | None = None
    sarif: Path | None = None
    update_baseline: bool = False
    explicit: bool = field(default=False)
    """One scanner was asked for by name: missing inputs are errors, not notes."""


def run_scan(ctx: AppContext, options: ScanOptions) -> list[ScanResult]:
    from brickyard.bundle.loader import find_root

    settings = load_settings(find_root(ctx.cwd, dict(ctx.environ)))
    results = [_run_one(ctx, name, settings, options) for name in options.scanners]
    for result in results:
        ctx.output.diagnostics([f.diagnostic() for f in result.findings])
        for note in result.notes:
            ctx.output.info(f"{result.scanner}: {note}")
    document = report_json(results)
    if options.report is not None:
        write_report(options.report, document)
    if options.sarif is not None:
        write_report(options.sarif, report_sarif(results, settings.root))
    ctx.output.result(document, _summary(results))
    errors = sum(len(r.errors) for r in results)
    if errors:
        raise FindingsError(f"scan failed: {errors} finding{'s' if errors != 1 else ''} at error level")
    return results


def _summary(results: Sequence[ScanResult]) -> str:
    lines = []
    for r in results:
        state = (
            "ok" if not r.findings else f"{len(r.errors)} errors, {len(r.findings) - len(r.errors)} warnings"
        )
        lines.append(
            f"{r.scanner:<9} {state:<24} scanned {r.scanned}" + (f"  [{r.source}]" if r.source else "")
        )
    return "\n".join(lines)


def _run_one(ctx: AppContext, name: str, settings: Settings, options: ScanOptions) -> ScanResult:
    if name in ("deps", "licenses"):
        from brickyard.scan.locks import project_locks

        locks = project_locks(settings.root, settings.deps.directory)
        if not locks:
            if options.explicit:
                raise DepsError(
                    f"no lock in {settings.deps.directory}/ to scan; run `brickyard deps lock` first"
                )
            return ScanResult(name, notes=[f"skipped: no lock in {settings.deps.directory}/"])
        if name == "deps":
            from brickyard.scan.vulns import scan_vulnerabilities

            return scan_vulnerabilities(locks, options.advisories, options.offline)
        from brickyard.scan.license_meta import MetadataSources
        from brickyard.scan.licenses import scan_licenses

        links = [
            *options.find_links,
            *(settings.root / link for link in settings.deps.index.find_links if "://" not in link),
        ]
        sources = MetadataSources.build(links, options.python)
        return scan_licenses(locks, settings.licenses, sources)
    if name == "secrets":
        from brickyard.scan.secrets import find_secrets, project_files, write_baseline

        if options.update_baseline:
            count = write_baseline(settings.root, settings.secrets)
            ctx.output.success(
                f"{settings.secrets.baseline}: {count} accepted finding{'s' if count != 1 else ''}"
            )
        return find_secrets(project_files(settings.root, settings.secrets), settings.root, settings.secrets)
    return _policy(settings, options)


def _policy(settings: Settings, options: ScanOptions) -> ScanResult:
    from brickyard.bundle import LoadOptions, load_bundle
    from brickyard.scan.policy import policy_result

    if not settings.policies.configured:
        if options.explicit:
            raise FindingsError(
                "no policies configured: add policies.cluster_policies or policies.rules to brickyard.yml"
            )
        return ScanResult("policy", notes=["skipped: brickyard.yml configures no policies"])
    targets = list(options.targets) or _all_targets(settings.root)
    bundles = [
        load_bundle(settings.root, LoadOptions(target=t, variables=options.variables)) for t in targets
    ]
    return policy_result(bundles, settings)


def _all_targets(root: Path) -> list[str | None]:
    from brickyard.bundle.loader import read_tree

    tree = read_tree(root, [])
    targets = tree.get("targets")
    names = [name for name, _ in targets.items()] if targets is not None and targets.is_map else []
    return names or [None]  # type: ignore[return-value]
