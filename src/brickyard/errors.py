"""The error tree: every failure brickyard expects is a `BrickyardError`.

The CLI has one boundary (`brickyard.cli.main`): a `BrickyardError` becomes `Error: <message>` and its
`exit_code`; anything else is a bug and shows a traceback only with `--debug`. Core code raises these
instead of printing, so the same failure reads the same in the terminal, in `-o json` and in tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, order=True)
class Location:
    """A position in a source file, 1-based, as editors and the Databricks CLI show it."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Diagnostic:
    """One finding about the user's input: what is wrong, where, and at which key."""

    severity: Severity
    summary: str
    path: str = ""
    location: Location | None = None
    detail: str = ""
    also: tuple[Location, ...] = ()
    """Further places the value was set, listed under `location` as the CLI lists them."""

    def render(self, severity: bool = True) -> str:
        """The finding as the CLI lists it; `severity=False` leaves out the leading `error: `
        (where the message is already introduced, as `Error: …` is)."""
        lines = [f"{self.severity.value}: {self.summary}" if severity else self.summary]
        if self.path:
            lines.append(f"  at {self.path}")
        if self.location is not None:
            lines.append(f"  in {self.location}")
            lines.extend(f"     {other}" for other in self.also)
        if self.detail:
            lines.extend(f"  {line}" for line in self.detail.splitlines())
        return "\n".join(lines)

    def as_json(self) -> dict[str, object]:
        doc: dict[str, object] = {"severity": self.severity.value, "summary": self.summary}
        if self.path:
            doc["path"] = self.path
        if self.location is not None:
            doc["location"] = {
                "file": self.location.file,
                "line": self.location.line,
                "column": self.location.column,
            }
        if self.detail:
            doc["detail"] = self.detail
        return doc


class BrickyardError(Exception):
    """An expected failure: the CLI prints `Error: <message>` and exits with `exit_code`."""

    exit_code = 1


class UsageError(BrickyardError):
    """The command line itself is wrong (unknown flag value, missing argument)."""

    exit_code = 2


class BundleError(BrickyardError):
    """The bundle configuration is invalid; carries every error diagnostic found, not just the first."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity is Severity.ERROR] or diagnostics
        if len(errors) == 1:
            message = errors[0].render(severity=errors[0].severity is not Severity.ERROR)
        else:
            message = f"{len(errors)} errors in the bundle:\n" + "\n".join(d.render() for d in errors)
        super().__init__(message)

    @classmethod
    def at(
        cls, summary: str, location: Location | None = None, path: str = "", detail: str = ""
    ) -> BundleError:
        return cls([Diagnostic(Severity.ERROR, summary, path=path, location=location, detail=detail)])


class WorkspaceError(BrickyardError):
    """A call to a workspace (real or local) failed: auth, network, or an API error we cannot absorb."""


class LocalWorkspaceError(BrickyardError):
    """The embedded local workspace could not be started, reached or used."""


class PlanError(BrickyardError):
    """A plan cannot be computed (for example a reference to a resource that does not exist)."""


class ApplyError(BrickyardError):
    """A deploy stage failed on one resource; the state written so far stays consistent."""

    def __init__(self, resource: str, stage: str, cause: BaseException | str) -> None:
        self.resource = resource
        self.stage = stage
        self.cause = cause
        super().__init__(f"{stage} failed for {resource}: {cause}")


class DeployLockedError(BrickyardError):
    """Another deploy holds the target's lock."""

    def __init__(self, holder: str, since: str, path: str, stale: bool = False) -> None:
        self.holder = holder
        self.since = since
        self.path = path
        self.stale = stale
        if stale:
            super().__init__(
                f"the deployment lock at {path} is stale: {holder}, which took it at {since}, is no "
                "longer running; pass --force-lock to take it over"
            )
            return
        super().__init__(
            f"the deployment lock at {path} is held by {holder} since {since}; "
            "wait for that deploy to finish, or pass --force-lock if it is gone"
        )


class StateError(BrickyardError):
    """The deployment state is unreadable, or written by a newer brickyard."""


class RunFailedError(BrickyardError):
    """A job or pipeline run ended in a state other than success."""

    def __init__(self, message: str, run_id: int | str | None = None, url: str | None = None) -> None:
        self.run_id = run_id
        self.url = url
        super().__init__(message)


class PipelineError(BrickyardError):
    """A pipeline's source defines an invalid graph or an update failed."""

    def __init__(self, message: str, dataset: str | None = None, file: str | None = None) -> None:
        self.dataset = dataset
        self.file = file
        super().__init__(message)


class ReleaseError(BrickyardError):
    """A release cannot be recorded, found, promoted or rolled back."""


class DrillFailedError(ReleaseError):
    """A step of a rollback drill failed; `step` names it."""

    def __init__(self, step: str, message: str) -> None:
        self.step = step
        super().__init__(message)


class DriftFoundError(BrickyardError):
    """The workspace differs from the deployed state (exit 1, for CI gates)."""


class DepsError(BrickyardError):
    """Dependencies cannot be snapshotted, resolved or checked."""


class FindingsError(BrickyardError):
    """A scan or policy check found problems (exit 1, for CI gates)."""


class NotebookFormatError(BrickyardError):
    """A notebook's content is not valid in the format it claims (Jupyter JSON, Databricks source)."""


class TaskError(BrickyardError):
    """A job task cannot run as configured on the local workspace (missing file, unsupported task type)."""


class DbtError(BrickyardError):
    """dbt cannot be run as asked: no project, no adapter installed, no warehouse to run on."""


class RecoveryError(BrickyardError):
    """A backup, restore or catalog import could not be done, or did not verify."""


class SecretsError(BrickyardError):
    """A secret value could not be read from its backend or put into its scope; never says the value."""
