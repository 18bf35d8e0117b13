"""The one-off job `deps snapshot --cluster-id` runs on a cluster: list what is installed.

This file is uploaded as-is and run as a `spark_python_task`, so it uses the standard library only
and prints one marked JSON line that `snapshot.parse_probe_output` finds in the run's logs. Each
distribution carries its installer (`pip`, `uv`, or empty/`debian` for packages the OS installed),
which is how the baseline tells PyPI packages from system ones.
"""

from __future__ import annotations

import json
import platform
import sys
from importlib import metadata

MARKER = "BRICKYARD_SNAPSHOT "


def _installer(dist: metadata.Distribution) -> str:
    try:
        return (dist.read_text("INSTALLER") or "").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def collect() -> dict[str, object]:
    seen: dict[str, dict[str, str]] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if not name or name.lower() in seen:
            continue
        seen[name.lower()] = {"name": name, "version": dist.version, "installer": _installer(dist)}
    return {
        "python": ".".join(platform.python_version_tuple()[:2]),
        "executable": sys.executable,
        "distributions": sorted(seen.values(), key=lambda d: d["name"].lower()),
    }


def main() -> None:
    print(MARKER + json.dumps(collect(), sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
