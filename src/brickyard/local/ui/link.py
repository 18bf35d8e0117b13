"""The client side of `brickyard ui`: a one-time sign-in link from the running local workspace."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from brickyard.errors import WorkspaceError


def page_path(where: str) -> str:
    """`/jobs/1`, or a URL brickyard printed (`http://127.0.0.1:8080/#job/1/run/2`) as its path."""
    if "://" not in where:
        return where if where.startswith("/") else "/" + where
    parts = urlsplit(where)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return path + ("#" + parts.fragment if parts.fragment else "")


def sign_in_link(host: str, token: str, where: str = "/") -> str:
    request = urllib.request.Request(
        f"{host.rstrip('/')}/api/2.0/brickyard/ui/sign-in-links",
        data=json.dumps({"path": page_path(where)}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return str(json.load(response)["url"])
    except (urllib.error.URLError, OSError, KeyError, ValueError) as err:
        raise WorkspaceError(f"The local workspace at {host} did not give a sign-in link: {err}") from err
