"""What a scanner reports: one typed finding, rendered as a diagnostic, JSON or a SARIF result."""

from __future__ import annotations

from dataclasses import dataclass, field

from brickyard.errors import Diagnostic, Location, Severity


@dataclass(frozen=True)
class Finding:
    scanner: str
    """deps, licenses, secrets or policy."""
    rule_id: str
    """Stable across runs, for SARIF and for suppressions: `vuln/GHSA-…`, `secret/databricks-token`…"""
    summary: str
    severity: Severity = Severity.ERROR
    location: Location | None = None
    path: str = ""
    """The key path in the bundle, for policy findings."""
    detail: str = ""
    rule_description: str = ""

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(
            self.severity, f"[{self.rule_id}] {self.summary}", self.path, self.location, self.detail
        )

    def as_json(self) -> dict[str, object]:
        doc: dict[str, object] = {
            "scanner": self.scanner,
            "rule": self.rule_id,
            **self.diagnostic().as_json(),
        }
        doc["summary"] = self.summary
        return doc


@dataclass
class ScanResult:
    """One scanner's run: what it found, what it looked at, and where its knowledge came from."""

    scanner: str
    findings: list[Finding] = field(default_factory=list)
    scanned: int = 0
    source: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]
