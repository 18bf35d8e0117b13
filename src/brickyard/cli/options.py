"""Options shared by several commands, spelled as `databricks bundle` spells them."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer


class OutputChoice(str, Enum):
    text = "text"
    json = "json"


Target = Annotated[
    str | None,
    typer.Option(
        "--target",
        "-t",
        metavar="TARGET",
        help="Bundle target to use (default: the target marked default: true).",
    ),
]
Var = Annotated[
    list[str] | None,
    typer.Option("--var", metavar="NAME=VALUE", help="Set a bundle variable: --var name=value (repeatable)."),
]
Profile = Annotated[
    str | None,
    typer.Option("--profile", "-p", metavar="PROFILE", help="~/.databrickscfg profile to authenticate with."),
]
Output = Annotated[
    OutputChoice,
    typer.Option(
        "--output", "-o", metavar="text|json", help="Output format: text for people, json for machines."
    ),
]
AutoApprove = Annotated[
    bool,
    typer.Option("--auto-approve", help="Skip interactive approval of destructive changes."),
]
ForceLock = Annotated[
    bool,
    typer.Option("--force-lock", help="Take the deploy lock even if someone holds it."),
]
ForceBranch = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Deploy even from a git branch the target does not allow, or over files edited in the "
        "workspace since the last deploy.",
    ),
]
Local = Annotated[
    bool,
    typer.Option(
        "--local",
        help="Use the embedded local workspace with this target's configuration, even if the target "
        "names a host (also BRICKYARD_LOCAL=1).",
    ),
]
