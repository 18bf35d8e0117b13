"""The root context: what a command needs, wired once, with no logic of its own."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from brickyard.output import Output, OutputFormat, make_output
from brickyard.resources import REGISTRY, Registry
from brickyard.workspace.session import FORCE_LOCAL_ENV


@dataclass
class AppContext:
    output: Output
    cwd: Path = field(default_factory=Path.cwd)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    resources: Registry = REGISTRY
    """The resource kinds brickyard deploys."""

    @classmethod
    def create(cls, fmt: OutputFormat = "text", local: bool = False) -> AppContext:
        """`local`: every workspace the command opens is the embedded local one (`--local`)."""
        environ = dict(os.environ)
        if local:
            environ[FORCE_LOCAL_ENV] = "1"
        return cls(output=make_output(fmt), environ=environ)
