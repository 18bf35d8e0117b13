"""`brickyard metrics`: a target workspace's `/metrics`, as Prometheus text or as JSON.

Only the local workspace serves `/metrics`; a target on a real workspace gets a clear error.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

from brickyard.errors import WorkspaceError

if TYPE_CHECKING:
    from brickyard.context import AppContext

FORMATS = ("prometheus", "json")


def show_metrics(ctx: AppContext, target: str | None, profile: str | None, fmt: str) -> str:
    from brickyard.deploy.target import open_target

    chosen = open_target(ctx, target, (), profile)
    text = fetch(chosen.client)
    if fmt == "json":
        doc = as_json(text)
        ctx.output.result(doc, lambda console: console.print_json(data=doc))
    else:
        ctx.output.result({"metrics": text}, text.rstrip("\n"))
    return text


def fetch(client: Any) -> str:
    """The `/metrics` text of the workspace `client` talks to."""
    host = str(client.config.host).rstrip("/")
    request = urllib.request.Request(f"{host}/metrics", headers=client.config.authenticate())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return str(response.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        if err.code == 404:
            raise WorkspaceError(
                f"{host} has no /metrics: only the local workspace serves them (a `local` target)"
            ) from None
        raise WorkspaceError(f"GET {host}/metrics failed: HTTP {err.code}") from None
    except OSError as err:
        raise WorkspaceError(f"GET {host}/metrics failed: {err}") from None


def as_json(text: str) -> list[dict[str, Any]]:
    """Metric families: name, type, help and samples (name, labels, value)."""
    from prometheus_client.parser import text_string_to_metric_families

    return [
        {
            "name": family.name,
            "type": family.type,
            "help": family.documentation,
            "samples": [{"name": s.name, "labels": dict(s.labels), "value": s.value} for s in family.samples],
        }
        for family in text_string_to_metric_families(text)
    ]
