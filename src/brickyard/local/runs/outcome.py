"""What one task attempt produced, whoever ran it (a worker, the orchestrator, a pipeline runner)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from brickyard.local.runs import states as s


@dataclass
class Outcome:
    result: str
    message: str = ""
    code: str | None = None
    """A termination code more precise than the result's default (RESOURCE_NOT_FOUND, …)."""
    notebook_result: str | None = None
    error: str | None = None
    error_trace: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    outcome: str | None = None
    """A condition task's outcome, "true" or "false"."""
    run_job_run_id: int | None = None

    @classmethod
    def failed(cls, message: str, code: str | None = None, trace: str | None = None) -> Outcome:
        return cls(s.FAILED, message=message, code=code, error=message, error_trace=trace)

    @property
    def succeeded(self) -> bool:
        return self.result == s.SUCCESS
