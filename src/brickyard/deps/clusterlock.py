"""The lock a cluster enforces, read out of brickyard's init script, and the part of it to install.

`brickyard deps init-script` embeds the hashed lock in the script between `<<'BRICKYARD_LOCK'` and
a closing `BRICKYARD_LOCK` line; the deploy adds the script to every cluster. Locally the script
is not run (it would rewrite the interpreter's own packages); its lock is read and installed into
the cluster's environment instead.

A lock made for a Databricks Runtime (`# runtime: 15.4` in its header) pins the runtime's own
packages too: pyspark's pandas, pyarrow, grpcio and protobuf, and everything they and the rest of
the runtime pull in. On Databricks they are already on the cluster. Locally the runtime is the
local workspace's own interpreter, whose Spark Connect client needs its versions of exactly those
packages, so they stay the runtime's: the environment gets the lock minus the runtime's packages,
that is the runtime baseline brickyard ships for that version, the `# system:` packages, and every
package the lock says is there only because those need it (its `# via` lines). What is left, the
project's additions and their own dependencies, is installed at the locked versions with their
hashes checked, which is the enforcement that matters for a project's code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from brickyard.deps.reqfiles import Lock, parse_lock
from brickyard.errors import DepsError

LOCK_START = "<<'BRICKYARD_LOCK'"
LOCK_END = "BRICKYARD_LOCK"
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==")


@dataclass(frozen=True)
class ProjectLock:
    requirements: str
    """The locked pins to install, with their hashes, as a requirements file ("" when none)."""
    installed: tuple[str, ...]
    """`name==version` of each pin installed."""
    provided: int
    """How many pins the local runtime provides instead."""
    runtime: str | None


def lock_in_script(text: str) -> str | None:
    """The lock embedded in a brickyard init script; None for any other script."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.rstrip().endswith(LOCK_START)), None)
    if start is None:
        return None
    body: list[str] = []
    for line in lines[start + 1 :]:
        if line.strip() == LOCK_END:
            return "\n".join(body) + "\n"
        body.append(line)
    return None


def project_part(lock_text: str) -> ProjectLock:
    lock = parse_lock(lock_text)
    provided = runtime_provided(lock, lock_text)
    kept = [name for name in lock.pins if name not in provided]
    lines = []
    for name in kept:
        hashes = lock.hashes.get(name, [])
        entry = f"{lock.names[name]}=={lock.pins[name]}"
        lines.append(" \\\n    ".join([entry, *(f"--hash={h}" for h in hashes)]))
    return ProjectLock(
        requirements="\n".join(lines) + "\n" if lines else "",
        installed=tuple(f"{lock.names[n]}=={lock.pins[n]}" for n in kept),
        provided=len(lock.pins) - len(kept),
        runtime=lock.first("runtime"),
    )


def runtime_provided(lock: Lock, text: str) -> set[str]:
    """The locked packages a Databricks Runtime ships (see the module docstring)."""
    provided: set[str] = {str(canonicalize_name(name)) for name in lock.header.get("system", [])}
    spec = lock.first("runtime")
    if not spec:
        return provided
    from brickyard.deps.runtimes import Runtime, shipped_baseline

    try:
        baseline = parse_lock(shipped_baseline(Runtime.parse(spec)))
    except DepsError:
        return provided  # a runtime brickyard has no list for: install the whole lock
    provided |= set(baseline.pins)
    parents = _via(text)
    changed = True
    while changed:
        changed = False
        for name, needed_by in parents.items():
            if name in provided or not needed_by:
                continue
            if all(p != "-r" and p in provided for p in needed_by):
                provided.add(name)
                changed = True
    return provided & set(lock.pins)


def _via(text: str) -> dict[str, list[str]]:
    """Package → the packages (or "-r" for an input file) the lock's `# via` lines name."""
    parents: dict[str, list[str]] = {}
    current: str | None = None
    in_via = False
    for raw in text.splitlines():
        match = _PIN.match(raw)
        if match:
            current, in_via = canonicalize_name(match["name"]), False
            parents[current] = []
            continue
        line = raw.strip()
        if current is None or not raw[:1].isspace():
            current, in_via = (None, False) if line and not line.startswith("#") else (current, in_via)
            continue
        if line.startswith("# via"):
            in_via = True
            line = "#" + line[len("# via") :]
        elif not (in_via and line.startswith("#")):
            in_via = in_via and line.startswith("--hash")
            continue
        name = line.lstrip("#").strip()
        if name:
            parents[current].append("-r" if name.startswith("-r") else canonicalize_name(name.split()[0]))
    return parents
