"""Turning uv's "no solution found" into a message that names both sides of a conflict.

uv explains a failed resolution as a derivation ("Because all versions of fastjob depend on
joblib>=1.4 and you require joblib==1.2.0, …"). That is precise but names neither the file nor the
line a requirement came from, and the chain from a direct addition down to the clashing package is
spread over several sentences. This module reads the "A depends on B" facts out of uv's text,
finds the packages demanded by more than one requirement, and shows for each demand the line that
asked for it and the chain that leads there. uv's own explanation follows, unchanged.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from brickyard.deps.reqfiles import Line

_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"
_SPEC = r"(?:\[[^\]]*\])?(?:(?:==|>=|<=|!=|~=|>|<)[^\s,]+(?:,(?:==|>=|<=|!=|~=|>|<)[^\s,]+)*)?"
_EDGE = re.compile(
    rf"(?:all versions of |only )?(?P<src>{_NAME})(?P<srcspec>{_SPEC})\s+depends?\s+on\s+(?P<dst>{_NAME})(?P<spec>{_SPEC})"
)

_CONCLUSION = re.compile(r"we can conclude that[^.]*\.")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    spec: str


def parse_edges(text: str) -> list[Edge]:
    flat = " ".join(line.strip() for line in text.splitlines())
    # "…we can conclude that all versions of mlkit depend on joblib>=1.4." restates premises as a
    # shortcut; only the premises are real dependency declarations.
    flat = _CONCLUSION.sub(".", flat)
    edges = []
    for match in _EDGE.finditer(flat):
        source = canonicalize_name(match["src"])
        target = canonicalize_name(match["dst"])
        if source != target:
            edges.append(Edge(source, target, f"{match['dst']}{match['spec']}".rstrip(".")))
    return edges


def _chains(root: str, target: str, graph: dict[str, list[Edge]]) -> list[list[Edge]]:
    found: list[list[Edge]] = []

    def walk(node: str, path: list[Edge]) -> None:
        for edge in graph.get(node, []):
            if any(step.target == edge.target for step in path):
                continue
            if edge.target == target:
                found.append([*path, edge])
            else:
                walk(edge.target, [*path, edge])

    walk(root, [])
    return found


def explain_conflict(uv_error: str, lines: Sequence[Line], baseline_file: str, runtime: str) -> str:
    """A readable account of the conflict: each clashing package, every demand on it, and why."""
    edges = parse_edges(uv_error)
    graph: dict[str, list[Edge]] = defaultdict(list)
    for edge in edges:
        if edge not in graph[edge.source]:
            graph[edge.source].append(edge)
    direct: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        direct[line.name].append(line)

    sections = []
    for package in dict.fromkeys(edge.target for edge in edges):
        demands = [_direct(line, baseline_file, runtime) for line in direct.get(package, [])]
        for root, root_lines in direct.items():
            for chain in _chains(root, package, graph):
                for line in root_lines:
                    demands.append(_chained(line, chain, baseline_file, runtime))
        unique = list(dict.fromkeys(demands))
        if len(unique) >= 2:
            sections.append(
                f"{package} is required in incompatible ways:\n" + "\n".join(f"  - {d}" for d in unique)
            )
    cause = _uv_cause(uv_error)
    if not sections:
        return "the requirements cannot be resolved together.\nuv says:\n" + cause
    hint = (
        f"The runtime's own packages cannot change on a {runtime} cluster: choose versions of the "
        "additions that accept them, or lock against a newer runtime (--runtime)."
    )
    return (
        "the additions conflict with each other or with the runtime.\n"
        + "\n".join(sections)
        + f"\n{hint}\nuv says:\n{cause}"
    )


def _origin(line: Line, baseline_file: str, runtime: str) -> str:
    who = f"the runtime {runtime}" if line.file == baseline_file else "the project"
    return f"{who} ({line.file}:{line.line})"


def _direct(line: Line, baseline_file: str, runtime: str) -> str:
    return f"{line.requirement} required by {_origin(line, baseline_file, runtime)}"


def _chained(line: Line, chain: list[Edge], baseline_file: str, runtime: str) -> str:
    steps = " -> ".join([str(line.requirement), *(edge.spec for edge in chain)])
    return f"{chain[-1].spec} required by {_origin(line, baseline_file, runtime)} through {steps}"


def _uv_cause(text: str) -> str:
    kept = [line.rstrip() for line in text.splitlines() if line.strip() and not line.startswith("Resolved")]
    return "\n".join(f"  {line.strip()}" for line in kept)
