"""`brickyard metrics`."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from brickyard.cli import options


class MetricsFormat(str, Enum):
    prometheus = "prometheus"
    json = "json"


def metrics(
    target: options.Target = None,
    profile: options.Profile = None,
    fmt: Annotated[
        MetricsFormat,
        typer.Option("--format", help="Prometheus text as served, or the parsed metrics as JSON."),
    ] = MetricsFormat.prometheus,
    output: options.Output = options.OutputChoice.text,
) -> None:
    """Show the target workspace's metrics: runs by job and result, run and task durations, requests.

    Only the local workspace serves them.
    """
    from brickyard.context import AppContext
    from brickyard.ops.metrics import show_metrics

    show_metrics(AppContext.create(output.value), target, profile, fmt.value)
