"""Workspace paths: the API answers them with or without their `/Workspace` prefix."""

from __future__ import annotations

PREFIX = "/Workspace"


def canonical(path: str) -> str:
    """One spelling per object: `/Workspace/Users/x/` and `/Users/x` are both `/Users/x`."""
    path = path.rstrip("/") or "/"
    return path[len(PREFIX) :] if path.startswith(PREFIX + "/") else path
