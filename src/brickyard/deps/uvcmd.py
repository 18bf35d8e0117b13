"""Running the `uv` binary that ships with brickyard's environment.

uv resolves, hashes and installs; brickyard only decides what to ask. Index options pass through
unchanged so a project can lock against a private mirror, a directory of wheels (`--find-links`
with `--no-index`) or the uv cache alone (`--offline`), which is how the tests stay off the network.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from brickyard.errors import DepsError


@dataclass(frozen=True)
class IndexOptions:
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    offline: bool = False

    def args(self) -> list[str]:
        out: list[str] = []
        if self.index_url:
            out += ["--index-url", self.index_url]
        for url in self.extra_index_urls:
            out += ["--extra-index-url", url]
        for link in self.find_links:
            out += ["--find-links", link]
        if self.no_index:
            out.append("--no-index")
        if self.offline:
            out.append("--offline")
        return out

    def merged(self, other: IndexOptions) -> IndexOptions:
        """`other` (the command line) wins over `self` (the settings) where it says something."""
        return IndexOptions(
            index_url=other.index_url or self.index_url,
            extra_index_urls=other.extra_index_urls or self.extra_index_urls,
            find_links=other.find_links or self.find_links,
            no_index=other.no_index or self.no_index,
            offline=other.offline or self.offline,
        )


@dataclass
class UvResult:
    returncode: int
    stdout: str
    stderr: str = field(repr=False)


def uv_binary() -> str:
    from uv import find_uv_bin

    return find_uv_bin()


def run_uv(
    args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None, timeout: float | None = 1800
) -> UvResult:
    """Run `uv <args>`; the caller decides what a failure means (a conflict is not a crash)."""
    environ = dict(os.environ if env is None else env)
    environ.update({"NO_COLOR": "1", "UV_NO_PROGRESS": "1"})
    environ.pop("VIRTUAL_ENV", None)
    try:
        done = subprocess.run(
            [uv_binary(), *args], cwd=cwd, env=environ, capture_output=True, text=True, timeout=timeout
        )
    except FileNotFoundError as err:
        raise DepsError(f"cannot run uv: {err}") from None
    except subprocess.TimeoutExpired:
        raise DepsError(f"uv {args[0] if args else ''} did not finish within {timeout:.0f} s") from None
    return UvResult(done.returncode, done.stdout, done.stderr)
